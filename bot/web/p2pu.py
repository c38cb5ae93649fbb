"""Import from P2PU on the pages: the signup link → what will be created (and the time zone found) → confirm.

The same domain code as ``circlebot circle import`` (bot/domain/p2pu.py). Both steps read P2PU again, so
the confirmation creates what P2PU says at that moment; a circle already imported is updated (learners told
once of a new schedule), but only by someone who may see it.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for

from bot.domain import circles as ops
from bot.domain import p2pu, roles
from bot.domain.schedule import ScheduleError
from bot.runtime import current as runtime
from bot.web.access import now, signed_in
from bot.web.blueprint import bp
from bot.web.i18n import _

EXAMPLE = "https://learningcircles.p2pu.org/en/signup/plaza-branch-4321/"


class _NotYours(Exception):
    """The P2PU circle was imported by a facilitator whose circles this person cannot see."""


@bp.route("/circles/import", methods=["GET", "POST"])
@signed_in
def circle_import():
    """Step 1 (GET): the link; step 2 (POST): the preview; step 3 (POST with ``confirm``): create or update."""
    if g.person.facilitator_id is None:
        abort(403)
    link = request.form.get("url", "").strip() if request.method == "POST" else ""
    if request.method == "GET":
        return render_template("pages/p2pu_import.html", url="", error=None, example=EXAMPLE, preview=None)
    try:
        imported = _read(link)
        with runtime().uow() as db:
            found = p2pu.existing(db, imported.p2pu_id)
            if found is not None and roles.circle_for(db, g.person, found.code) is None:
                raise _NotYours()
            if not request.form.get("confirm"):
                return render_template(
                    "pages/p2pu_import.html",
                    url=link,
                    error=None,
                    example=EXAMPLE,
                    preview=imported.new,
                    imported=imported,
                    existing=found,
                    first=p2pu.first_meeting_utc(imported),
                )
            done = p2pu.apply(db, runtime().settings, imported, now())
            code = done.circle.code
            db.commit()
    except p2pu.P2PUError as exc:
        return _form(link, _refusal(exc.reason))
    except _NotYours:
        return _form(link, _("Another facilitator has already imported this circle."))
    except (ops.CircleError, ScheduleError):
        return _form(link, _("That change could not be made. Check the dates and try again."))
    if done.created:
        flash(_("Circle %(code)s is ready. Learners join by texting JOIN %(code)s.", code=code), "info")
    else:
        flash(_("Saved."), "info")
    return redirect(url_for("pages.circle", code=code))


def _read(link: str) -> p2pu.Imported:
    p2pu_id = p2pu.parse_id(link)
    item = p2pu.fetch(runtime().settings.p2pu_api_base, p2pu_id)
    imported = p2pu.plan_import(item, now().date(), facilitator_phone="")
    return p2pu.for_facilitator(imported, g.person.facilitator_id)


def _form(link: str, error: str):
    return render_template("pages/p2pu_import.html", url=link, error=error, example=EXAMPLE, preview=None), 400


def _refusal(reason: str) -> str:
    """Why P2PU's circle cannot be imported, in the facilitator's language."""
    if reason == "draft":
        return _("This circle is still a draft on P2PU. Publish it there first.")
    if reason == "finished":
        return _("This circle has finished.")
    if reason == "online":
        return _("This circle meets online. Only circles that meet in a place can be imported.")
    if reason == "unknown":
        return _("P2PU has no learning circle with that number.")
    if reason == "unreachable":
        return _("P2PU's site cannot be reached. Try again later.")
    return _("Paste the link of the circle's signup page on P2PU, or its number.")
