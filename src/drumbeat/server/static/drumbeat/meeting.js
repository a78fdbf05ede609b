/*
 * Meeting mode: an agenda shown one item at a time, full screen.
 *
 * The contract, for any page (the KPI review, the check-in agenda):
 *   <button data-meeting-start>            starts the meeting (hidden without JS)
 *   <section data-meeting>                 the agenda
 *     <article data-meeting-item> ...      one item each, in meeting order
 * In the meeting, the "Next" and "Previous" buttons and the keyboard's right and
 * left arrows move between items; Escape (or "Leave") ends it. Arrows typed in a
 * form field stay the field's. Without JavaScript the agenda is a plain list.
 * Loaded with <script src defer>: no inline script (Content-Security-Policy).
 */
(function () {
  "use strict";

  function start(section) {
    var items = Array.prototype.slice.call(
      section.querySelectorAll("[data-meeting-item]")
    );
    if (!items.length) return;
    var index = 0;
    var bar = document.createElement("nav");
    bar.className = "meeting-bar";
    bar.setAttribute("aria-label", "Meeting");
    function button(label, name, action) {
      var element = document.createElement("button");
      element.type = "button";
      element.textContent = label;
      element.setAttribute("data-meeting-" + name, "");
      element.addEventListener("click", action);
      bar.appendChild(element);
      return element;
    }
    var position = document.createElement("span");
    position.className = "meeting-position";
    var previous = button("Previous", "previous", function () { show(index - 1); });
    bar.appendChild(position);
    var next = button("Next", "next", function () { show(index + 1); });
    button("Leave", "leave", leave);
    section.insertBefore(bar, section.firstChild);

    function show(wanted) {
      index = Math.max(0, Math.min(items.length - 1, wanted));
      items.forEach(function (item, i) {
        item.hidden = i !== index;
        item.classList.toggle("meeting-current", i === index);
      });
      position.textContent = index + 1 + " of " + items.length;
      previous.disabled = index === 0;
      next.disabled = index === items.length - 1;
    }

    function onKey(event) {
      var target = event.target;
      if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
      if (event.key === "ArrowRight") { show(index + 1); event.preventDefault(); }
      else if (event.key === "ArrowLeft") { show(index - 1); event.preventDefault(); }
      else if (event.key === "Escape") { leave(); }
    }

    function leave() {
      document.removeEventListener("keydown", onKey);
      items.forEach(function (item) {
        item.hidden = false;
        item.classList.remove("meeting-current");
      });
      bar.remove();
      section.classList.remove("meeting-mode");
      document.body.classList.remove("in-meeting");
    }

    section.classList.add("meeting-mode");
    document.body.classList.add("in-meeting");
    document.addEventListener("keydown", onKey);
    show(0);
    next.focus();
  }

  function ready() {
    document.querySelectorAll("[data-meeting-start]").forEach(function (starter) {
      var section = document.querySelector("section[data-meeting]");
      if (!section) { starter.hidden = true; return; }
      starter.addEventListener("click", function () { start(section); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
