"""The bulk reassignment page: an admin moves what a person owns to someone
else (`drumbeat.review.ownership`)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path

from drumbeat.accounts.selectors import people_active, person_display_name
from drumbeat.common.editing import save_from_form
from drumbeat.common.guards import AdminRequest, admin_required
from drumbeat.review.ownership import OwnedItem, ownership_of, ownership_reassign


class PersonChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A choice of people, each by display name and username."""

    def label_from_instance(self, obj: User) -> str:
        return f"{person_display_name(obj)} ({obj.username})"


class ReassignForm(forms.Form):
    """Whom to hand a person's work to, and which of it (all ticked at first)."""

    to = PersonChoice(queryset=User.objects.none(), label="Hand over to")
    items = forms.MultipleChoiceField(
        label="What moves",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick at least one thing to move."},
    )

    def __init__(
        self, data: QueryDict | None, *, person: User, owned: list[OwnedItem]
    ) -> None:
        super().__init__(data, initial={"items": [i.token for i in owned]})
        to = self.fields["to"]
        assert isinstance(to, forms.ModelChoiceField)
        to.queryset = people_active().exclude(pk=person.pk)
        items = self.fields["items"]
        assert isinstance(items, forms.MultipleChoiceField)
        items.choices = [(item.token, item.label) for item in owned]


@admin_required("Only admins reassign what people own.")
def ownership_reassign_page(request: AdminRequest, username: str) -> HttpResponse:
    """What a person owns, and a form to move it to someone else in one step."""
    person = get_object_or_404(User, username=username)
    owned = ownership_of(person)
    data = request.POST if request.method == "POST" else None
    form = ReassignForm(data, person=person, owned=owned)
    if form.is_valid():
        to_user = form.cleaned_data["to"]
        moved = save_from_form(
            form,
            lambda: ownership_reassign(
                from_user=person,
                to_user=to_user,
                by=request.user,
                items=form.cleaned_data["items"],
            ),
        )
        if moved is not None:
            messages.success(
                request,
                f"{len(moved)} moved from {person_display_name(person)} to "
                f"{person_display_name(to_user)}.",
            )
            return redirect("person-edit", username=person.username)
    context = {"person": person, "owned": owned, "form": form}
    status = 400 if form.is_bound else 200
    return render(request, "review/ownership_reassign.html", context, status=status)


urlpatterns = [
    path(
        "people/<str:username>/reassign/",
        ownership_reassign_page,
        name="ownership-reassign",
    ),
]
