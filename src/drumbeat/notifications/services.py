"""Writes of the notifications app: recording the reminders and digests that are
due (before anything is sent), sending them at most once with retries, and
unsubscribing from a kind by a signed link.

At most once: a message is a `Notification` row, unique per person (or team),
kind, period and channel, inserted before it is sent; a sender claims rows with a
conditional update (and `SELECT ... FOR UPDATE SKIP LOCKED` where the database
has it), so two workers never take the same row. A worker stopped mid-send leaves
its row "sending": it is marked failed, never sent again (it may have gone).
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from drumbeat.accounts.models import Profile, Team
from drumbeat.audit.models import Event as AuditEvent
from drumbeat.audit.services import event_record
from drumbeat.core.reminders import check_in_moment, period_of, zone
from drumbeat.notifications import selectors
from drumbeat.notifications.models import Notification
from drumbeat.webhooks import payloads
from drumbeat.webhooks.services import team_digest_announce

logger = logging.getLogger(__name__)

Kind = Notification.Kind
Status = Notification.Status

UNSUBSCRIBE_SALT = "drumbeat.notifications.unsubscribe"
SENDING_LEASE = dt.timedelta(minutes=10)
STOPPED_MID_SEND = (
    "the worker stopped while sending it; not tried again, so that it is never "
    "sent twice"
)
DEFAULT_CHECK_IN_TIME = dt.time(9, 0)

SUBJECTS = {
    Kind.CHECK_IN_REMINDER: ("Check-in due", "key result"),
    Kind.READING_REMINDER: ("Readings due", "KPI"),
    Kind.DIGEST: ("Your week in Drumbeat", "item"),
}
INTROS = {
    Kind.CHECK_IN_REMINDER: (
        "These key results have had no check-in for 7 days or more. A check-in "
        "takes a minute: confidence, what changed, blockers."
    ),
    Kind.READING_REMINDER: "The next reading of these KPIs is due; you record them.",
    Kind.DIGEST: (
        "What needs you this week: your KPIs that are red, amber, signalling or "
        "stale, your key results, your open investigations."
    ),
}
FINDERS = {
    Kind.CHECK_IN_REMINDER: selectors.check_ins_due,
    Kind.READING_REMINDER: selectors.readings_due,
    Kind.DIGEST: selectors.digest,
}


@dataclass
class Run:
    """What one run of `notifications_run` did."""

    recorded: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    team_digests: list[str] = field(default_factory=list)


# --- Unsubscribing ------------------------------------------------------------------


def unsubscribe_token(*, user: User, kind: str) -> str:
    """The signed token of a person's unsubscribe link for one kind (no expiry:
    the link in an old message still works)."""
    # No timestamp: the same link whenever it is made (the body and the header).
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object({"u": user.pk, "k": kind})


def unsubscribe_url(*, user: User, kind: str) -> str:
    token = unsubscribe_token(user=user, kind=kind)
    return selectors.absolute(reverse("notifications-unsubscribe", args=[token]))


def unsubscribe_read(token: str) -> tuple[User, str] | None:
    """The person and kind a token stands for; None when it is forged, altered or
    names no one."""
    try:
        data = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("k") not in selectors.PREFERENCE:
        return None
    person = data.get("u")
    if not isinstance(person, int):
        return None
    user = User.objects.filter(pk=person).first()
    return (user, str(data["k"])) if user is not None else None


@transaction.atomic
def unsubscribe(*, user: User, kind: str) -> Profile:
    """Turn one kind of e-mail off on the person's profile (made if missing)."""
    profile, _ = Profile.objects.get_or_create(user=user)
    preference = selectors.PREFERENCE[Kind(kind)]
    if getattr(profile, preference):
        setattr(profile, preference, False)
        profile.save(update_fields=[preference])
        event_record(
            kind=AuditEvent.Kind.PERSON,
            action="unsubscribed",
            subject=user.get_username(),
            by=user,
            summary=f"no more {Kind(kind).label}s by e-mail (link in a message)",
        )
    return profile


# --- Recording what is due ---------------------------------------------------------


def _message(
    user: User, kind: Kind, period: str, lines: list[selectors.Line]
) -> dict[str, str]:
    title, noun = SUBJECTS[kind]
    count = len(lines)
    subject = f"{title}: {count} {noun}{'' if count == 1 else 's'} ({period})"
    context = {
        "person": selectors.person_name(user),
        "subject": subject,
        "intro": INTROS[kind],
        "lines": lines,
        "period": period,
        "base_url": settings.DRUMBEAT_BASE_URL,
        "unsubscribe_url": unsubscribe_url(user=user, kind=kind),
        "kind_label": kind.label,
    }
    return {
        "subject": subject,
        "body_text": render_to_string("notifications/email/message.txt", context),
        "body_html": render_to_string("notifications/email/message.html", context),
    }


def _person_moment(user: User, now: dt.datetime) -> dt.date | None:
    """The person's check-in day, if `now` is on it (from the check-in time): their
    home team's day and time, in their own time zone, else the team's, else the
    server's."""
    team = selectors.home_team(user)
    profile = selectors.profile_of(user)
    time_zone = zone(
        (profile.time_zone if profile else "") or (team.time_zone if team else ""),
        settings.TIME_ZONE,
    )
    return check_in_moment(
        weekday=team.check_in_weekday if team else 0,
        at=team.check_in_time if team else DEFAULT_CHECK_IN_TIME,
        time_zone=time_zone,
        now=now,
    )


def notifications_record(*, now: dt.datetime | None = None) -> int:
    """Record (queued) each e-mail due now that is not recorded yet, or skipped
    when it would list nothing; how many were queued. Idempotent: the unique
    constraint keeps one row per person, kind and week whoever records it."""
    now = now or timezone.now()
    due: list[tuple[User, dt.date]] = []
    for user in selectors.recipients():
        day = _person_moment(user, now)
        if day is not None:
            due.append((user, day))
    if not due:
        return 0
    periods = {period_of(day) for _, day in due}
    recorded = set(
        Notification.objects.filter(
            user__in=[user for user, _ in due],
            period__in=periods,
            channel=Notification.Channel.EMAIL,
        ).values_list("user_id", "kind", "period")
    )
    queued = 0
    for user, day in due:
        period = period_of(day)
        for kind in FINDERS:
            if (user.pk, kind.value, period) in recorded or not selectors.wants(
                user, kind
            ):
                continue
            lines = FINDERS[kind](user, day)
            row = Notification(
                user=user,
                kind=kind,
                period=period,
                channel=Notification.Channel.EMAIL,
                recipient=user.email,
                status=Status.QUEUED if lines else Status.SKIPPED,
                next_attempt_at=now,
                **(_message(user, kind, period, lines) if lines else {}),
            )
            try:
                with transaction.atomic():
                    row.save(force_insert=True)
            except IntegrityError:  # another worker recorded it first
                continue
            queued += bool(lines)
    return queued


def team_digests_announce(*, now: dt.datetime | None = None) -> list[str]:
    """Announce each team's weekly digest (`digest.weekly`) to the webhooks on its
    check-in day, once per team and week; the keys of the teams announced."""
    now = now or timezone.now()
    announced = []
    for team in selectors.teams_scheduled():
        day = check_in_moment(
            weekday=team.check_in_weekday,
            at=team.check_in_time,
            time_zone=zone(team.time_zone, settings.TIME_ZONE),
            now=now,
        )
        if day is None:
            continue
        period = period_of(day)
        if Notification.objects.filter(
            team=team, kind=Kind.TEAM_DIGEST, period=period
        ).exists():
            continue
        if _team_digest(team, day, period, now):
            announced.append(team.key)
    return announced


def _team_digest(team: Team, day: dt.date, period: str, now: dt.datetime) -> bool:
    lines = selectors.team_agenda(team, day)
    facts = payloads.DigestFacts(
        team_key=team.key,
        team_name=team.name,
        period=period,
        url=selectors.absolute(reverse("dashboard")),
        lines=tuple(
            payloads.DigestLine(
                kind=line.kind,
                key=line.key,
                name=line.name,
                state=line.state,
                owner=line.owner,
                url=line.url,
            )
            for line in lines
        ),
    )
    try:
        with transaction.atomic():
            Notification.objects.create(
                team=team,
                kind=Kind.TEAM_DIGEST,
                period=period,
                channel=Notification.Channel.WEBHOOK,
                recipient="webhooks subscribed to digest.weekly",
                subject=payloads.digest_text(facts).splitlines()[0],
                status=Status.SENT,
                attempts=1,
                sent_at=now,
            )
            # Its deliveries (and their retries) are the webhooks' own.
            return team_digest_announce(digest=facts) is not None
    except IntegrityError:  # another worker announced it first
        return False


# --- Sending ------------------------------------------------------------------------


def retry_delay(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failed try: the backoff, doubled each time
    (1 min, 2 min, 4 min ... by default)."""
    base = int(settings.DRUMBEAT_EMAIL_BACKOFF_SECONDS)
    return dt.timedelta(seconds=base * 2 ** (attempts - 1))


def _claim(now: dt.datetime, limit: int) -> list[Notification]:
    """Take up to `limit` queued messages whose time has come, for this sender
    only; first mark failed those a stopped sender left mid-send."""
    Notification.objects.filter(
        status=Status.SENDING, claimed_at__lt=now - SENDING_LEASE
    ).update(status=Status.FAILED, last_error=STOPPED_MID_SEND, next_attempt_at=None)
    token = uuid.uuid4().hex
    with transaction.atomic():
        waiting = Notification.objects.filter(
            status=Status.QUEUED,
            channel=Notification.Channel.EMAIL,
            next_attempt_at__lte=now,
        ).order_by("next_attempt_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            waiting = waiting.select_for_update(skip_locked=True)
        ids = list(waiting.values_list("pk", flat=True)[:limit])
        # Conditional: a row another sender took in between stays theirs.
        Notification.objects.filter(pk__in=ids, status=Status.QUEUED).update(
            status=Status.SENDING, claim=token, claimed_at=now
        )
    return list(
        Notification.objects.filter(claim=token, status=Status.SENDING)
        .select_related("user")
        .order_by("pk")
    )


def _email(notification: Notification) -> EmailMultiAlternatives:
    assert notification.user is not None  # e-mails are to people
    unsubscribe = unsubscribe_url(user=notification.user, kind=notification.kind)
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body_text,
        to=[notification.recipient],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(notification.body_html, "text/html")
    return message


def _failed(notification: Notification, error: Exception, now: dt.datetime) -> None:
    """One failed try: queued again after the backoff, or failed for good."""
    notification.attempts += 1
    notification.last_error = f"{type(error).__name__}: {error}"[:2000]
    if notification.attempts >= int(settings.DRUMBEAT_EMAIL_ATTEMPTS):
        notification.status = Status.FAILED
        notification.next_attempt_at = None
        logger.warning(
            "Gave up on %s after %d attempts: %s",
            notification,
            notification.attempts,
            notification.last_error,
        )
    else:
        notification.status = Status.QUEUED
        notification.next_attempt_at = now + retry_delay(notification.attempts)
    notification.save(
        update_fields=["attempts", "last_error", "status", "next_attempt_at"]
    )


def notifications_send(*, now: dt.datetime | None = None, limit: int = 100) -> Run:
    """Send the queued e-mails whose time has come, each once, recording each
    outcome. A server that cannot be reached costs one connection timeout, not one
    per message: the rest of the batch goes back to the queue untried."""
    now = now or timezone.now()
    run = Run()
    claimed = _claim(now, limit)
    if not claimed:
        return run
    mail = get_connection(fail_silently=False)
    try:
        mail.open()
    except (OSError, smtplib.SMTPException) as error:
        for notification in claimed:
            _failed(notification, error, now)
        run.retrying = sum(n.status == Status.QUEUED for n in claimed)
        run.failed = len(claimed) - run.retrying
        return run
    try:
        for index, notification in enumerate(claimed):
            try:
                mail.send_messages([_email(notification)])
            except (
                smtplib.SMTPRecipientsRefused,
                smtplib.SMTPSenderRefused,
                smtplib.SMTPDataError,
            ) as error:  # this message only (SMTP errors are OSErrors: first)
                _failed(notification, error, now)
                continue
            except OSError as error:  # a timeout, the server gone
                _failed(notification, error, now)
                # The connection is gone: the others wait for the next run.
                Notification.objects.filter(
                    pk__in=[n.pk for n in claimed[index + 1 :]]
                ).update(status=Status.QUEUED, claim="", claimed_at=None)
                break
            except Exception as error:  # this message only
                _failed(notification, error, now)
                continue
            notification.status = Status.SENT
            notification.attempts += 1
            notification.sent_at = timezone.now()
            notification.last_error = ""
            notification.save(
                update_fields=["status", "attempts", "sent_at", "last_error"]
            )
            run.sent += 1
    finally:
        try:
            mail.close()
        except Exception:  # closing a broken connection
            logger.debug("closing the SMTP connection failed", exc_info=True)
    failed = [n for n in claimed if n.status != Status.SENT and n.attempts]
    run.failed = sum(n.status == Status.FAILED for n in failed)
    run.retrying = sum(n.status == Status.QUEUED for n in failed)
    return run


def notifications_run(*, now: dt.datetime | None = None) -> Run:
    """The worker's step, every tick: record the e-mails due now, announce the
    teams' digests due now, and send what is queued."""
    now = now or timezone.now()
    recorded = notifications_record(now=now)
    teams = team_digests_announce(now=now)
    run = notifications_send(now=now)
    run.recorded = recorded
    run.team_digests = teams
    return run
