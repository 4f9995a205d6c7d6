"""The one way every front-end edits the schedules: preview, apply, undo, audit.

An edit becomes new file text (`bot.core.edits.plan_edit`, tomlkit: comments and layout kept),
the whole directory is validated with that text overlaid (`check_directory(overrides=...)`),
and only an edit without problems is recorded in the audit log and written, each file
atomically. Then the running bot reloads at once through its `ScheduleReloader`, whose swap
re-plans: a moved session gets the "time changed" post and new reminders, entered results
the results post, once, through the outbox — the same path as a hand edit of the files.

Every edit says where its facts came from: the edited series file gets `[sources.edit-N]`
(`kind = "operator"`, `by`, `at`; an import `[sources.import-N]` with its `file`), and every
table the edit wrote or changed `source = "edit-N"`. N is the edit's audit id. An undo writes
back the exact text from before, its source table gone with the rest.

Audit ids: the next id is taken (`Store.next_edit_id`) before the text is built, since an
edit's source (`[sources.edit-N]`) names it; the row is recorded before the files are written,
so no written edit is ever missing from the log. Should another process record that id first
(`EditIdTaken`), the edit is built again with the next one; nothing was written meanwhile.

Languages: the answers (summary, problems) are in the admin's language; the audit log records
each summary in English, once: it is a record shared by every admin, the CLI and the log, and
`/audit` shows it as written, its surrounding words in the reader's language.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC
from pathlib import Path

from bot.core.catalog import Catalog, CatalogHolder
from bot.core.clock import Clock
from bot.core.edits.apply import EditPlan, SourceStamp, plan_edit
from bot.core.edits.operations import Edit
from bot.core.edits.problems import EditProblem
from bot.core.i18n import DEFAULT_LANGUAGE, N_, _, use_language
from bot.core.schedules import check_directory
from bot.editing.actor import Actor
from bot.editing.files import read_texts, write_atomically
from bot.editing.outcome import EditOutcome, EditPreview, changed_lines, located
from bot.scheduling.reloader import ReloadResult, describe_changes
from bot.store.protocol import EditIdTaken, Store
from bot.store.records import EditRecord

log = logging.getLogger("pitboard.edits")

ADMINS_ONLY = N_("Sorry, /edit is only for Pitboard's admins.")
Edits = Edit | Sequence[Edit]
Reload = Callable[[], Awaitable[ReloadResult]]
_ATTEMPTS = 3


def describe(edit: Edits) -> tuple[str, str, str]:
    """(action, target, summary) of an edit or of several made as one."""
    if isinstance(edit, Sequence):
        edits = list(edit)
        if len(edits) == 1:
            return describe(edits[0])
        summary = "; ".join(one.summary() for one in edits)
        return "batch", edits[0].target if edits else "", summary
    return edit.action, edit.target, edit.summary()


def recorded_summary(edit: Edits) -> str:
    """The summary as the audit log records it: in English, whoever made the edit."""
    with use_language(DEFAULT_LANGUAGE):
        return describe(edit)[2]


class Editor:
    def __init__(
        self,
        directory: Path,
        store: Store,
        catalogs: CatalogHolder,
        clock: Clock,
        reload: Reload,
    ) -> None:
        self.directory = directory
        self._store = store
        self._catalogs = catalogs
        self._clock = clock
        self._reload = reload
        self._lock = asyncio.Lock()  # one edit at a time: each plans against the last one

    @property
    def catalog(self) -> Catalog:
        """The catalog edits are checked against now (an import matches its rows to it)."""
        return self._catalogs.current

    async def preview(
        self, edit: Edits, actor: Actor, *, source_file: str | None = None
    ) -> EditPreview:
        """What `edit` would change, and its problems; nothing is written. `source_file` as for
        `apply`: an import's preview shows the `[sources.import-N]` it would write."""
        summary = describe(edit)[2]
        if not actor.is_admin:
            return EditPreview(False, summary, problems=(EditProblem(_(ADMINS_ONLY)),))
        async with self._lock:
            texts = await asyncio.to_thread(read_texts, self.directory)
            edit_id = await self._store.next_edit_id()
            plan, problems = await self._checked(edit, texts, edit_id, actor, source_file)
        if problems:
            return EditPreview(False, summary, problems=problems)
        return EditPreview(True, summary, changed_lines(texts, plan.texts), (), plan.texts)

    async def apply(
        self, edit: Edits, actor: Actor, *, source_file: str | None = None
    ) -> EditOutcome:
        """Make `edit`: validated, recorded, written, reloaded. Refused for a non-admin."""
        action, target, summary = describe(edit)
        recorded = recorded_summary(edit)
        if not actor.is_admin:
            log.warning("edit refused: %s is not an admin (%s)", actor.label, recorded)
            return EditOutcome(False, summary, problems=(EditProblem(_(ADMINS_ONLY)),))
        async with self._lock:
            before = self._catalogs.current
            for _attempt in range(_ATTEMPTS):
                texts = await asyncio.to_thread(read_texts, self.directory)
                edit_id = await self._store.next_edit_id()
                plan, problems = await self._checked(edit, texts, edit_id, actor, source_file)
                if problems:
                    return EditOutcome(False, summary, problems=problems)
                files = {path: (texts.get(path), text) for path, text in plan.texts.items()}
                try:
                    await self._store.record_edit(
                        edit_id=edit_id,
                        at=self._clock.now(),
                        actor=actor.label,
                        action=action,
                        target=target,
                        summary=recorded,
                        files=files,
                    )
                except EditIdTaken:
                    continue  # another process edited meanwhile: build it again on its text
                failed = await self._write_or_restore(plan.texts, texts, edit_id)
                if failed is not None:
                    return EditOutcome(False, summary, problems=(EditProblem(failed),))
                log.info("edit #%d by %s: %s", edit_id, actor.label, recorded)
                lines = changed_lines(texts, plan.texts)
                break
            else:
                message = _("the audit log is busy (another process keeps editing); try again")
                return EditOutcome(False, summary, problems=(EditProblem(message),))
        return await self._reloaded(EditOutcome(True, summary, edit_id, (), lines), before)

    async def undo(self, edit_id: int, actor: Actor) -> EditOutcome:
        """Write back edit `edit_id`'s before texts, if no later change touched its files."""
        summary = _("undo #{id}").format(id=edit_id)
        if not actor.is_admin:
            return EditOutcome(False, summary, problems=(EditProblem(_(ADMINS_ONLY)),))
        async with self._lock:
            record = await self._store.get_edit(edit_id)
            if record is None:
                missing = EditProblem(_("no edit #{id}").format(id=edit_id))
                return EditOutcome(False, summary, problems=(missing,))
            # The undone edit's summary is quoted as the log records it.
            summary = _("undo #{id} ({summary})").format(id=edit_id, summary=record.summary)
            recorded = (
                f"undo #{edit_id} ({record.summary})"  # i18n: not user text (the log's record)
            )
            before = self._catalogs.current
            texts = await asyncio.to_thread(read_texts, self.directory)
            refusal = await self._undo_refusal(record, texts)
            if refusal is not None:
                return EditOutcome(False, summary, problems=(EditProblem(refusal),))
            restored = {path: before or "" for path, (before, _after) in record.files.items()}
            _catalog, problems = await asyncio.to_thread(check_directory, self.directory, restored)
            if problems:
                return EditOutcome(False, summary, problems=located(problems, restored, {}))
            undo_id = await self._store.next_edit_id()
            await self._store.record_edit(
                edit_id=undo_id,
                at=self._clock.now(),
                actor=actor.label,
                action="undo",
                target=f"#{edit_id}",
                summary=recorded,
                files={
                    path: (after, restored[path]) for path, (_before, after) in record.files.items()
                },
            )
            failed = await self._write_or_restore(restored, texts, undo_id)
            if failed is not None:
                return EditOutcome(False, summary, problems=(EditProblem(failed),))
            await self._store.mark_undone(edit_id, undo_id)
            log.info("edit #%d by %s: %s", undo_id, actor.label, recorded)
            lines = changed_lines(texts, restored)
        return await self._reloaded(EditOutcome(True, summary, undo_id, (), lines), before)

    async def audit(self, limit: int = 10) -> list[EditRecord]:
        return await self._store.recent_edits(limit)

    async def _undo_refusal(self, record: EditRecord, texts: Mapping[str, str]) -> str | None:
        if record.undone_by is not None:
            return _("edit #{id} was undone already (by #{undo})").format(
                id=record.id, undo=record.undone_by
            )
        if any(before is None for before, _after in record.files.values()):
            return _("edit #{id} created a file; remove it by hand to undo it").format(id=record.id)
        changed = sorted(
            path for path, (_before, after) in record.files.items() if texts.get(path) != after
        )
        if not changed:
            return None
        later = [
            other.id
            for other in await self._store.recent_edits(1000)
            if other.id > record.id and other.undone_by is None and set(other.files) & set(changed)
        ]
        files = ", ".join(changed)
        if later:
            ids = ", ".join(f"#{n}" for n in sorted(later, reverse=True))
            return _("{files} changed again since #{id} (by {ids}): undo those first").format(
                files=files, id=record.id, ids=ids
            )
        return _("{files} changed since #{id} (by hand?): cannot undo it safely").format(
            files=files, id=record.id
        )

    async def _checked(
        self,
        edit: Edits,
        texts: Mapping[str, str],
        edit_id: int,
        actor: Actor,
        source_file: str | None,
    ) -> tuple[EditPlan, tuple[EditProblem, ...]]:
        """The edit's plan and every problem with it, the loader's over the whole folder too."""
        catalog = self._catalogs.current
        kind, prefix = ("import", "import") if source_file else ("operator", "edit")
        at = self._clock.now().astimezone(UTC).replace(microsecond=0)
        stamp = SourceStamp(f"{prefix}-{edit_id}", kind, actor.label, at, source_file)
        plan = plan_edit(edit, texts, catalog, stamp)
        if plan.problems:
            return plan, plan.problems
        _catalog, problems = await asyncio.to_thread(check_directory, self.directory, plan.texts)
        return plan, located(problems, plan.texts, plan.origins)

    async def _write_or_restore(
        self, texts: Mapping[str, str], before: Mapping[str, str], edit_id: int
    ) -> str | None:
        """Write each file; if one cannot be written (a full disk, a read-only folder), put
        back those already written and mark the recorded edit as undone by itself, so the log
        never claims an edit the files do not hold. The problem, or None when all went in."""
        written: list[str] = []
        try:
            for path, text in sorted(texts.items()):
                await asyncio.to_thread(write_atomically, self.directory / path, text)
                written.append(path)
        except OSError as error:
            log.error("edit #%d could not be written: %s", edit_id, error)
            for path in written:
                await asyncio.to_thread(write_atomically, self.directory / path, before[path])
            await self._store.mark_undone(edit_id, edit_id)
            if error.filename:
                return _("could not write {file}: {reason}").format(
                    file=error.filename, reason=error.strerror
                )
            return _("could not write the schedules: {reason}").format(reason=error.strerror)
        return None

    async def _reloaded(self, outcome: EditOutcome, before: Catalog) -> EditOutcome:
        """The outcome once the running bot has reloaded the new files. The changes are told
        against the catalog before the edit: the folder watch may have reloaded first."""
        try:
            result = await self._reload()
        except Exception:
            log.exception("reloading after edit #%s failed", outcome.edit_id)
            return outcome
        if not result.ok:  # only if the files changed again between the write and the reload
            log.error("edit #%s was written but the reload found problems", outcome.edit_id)
            return outcome
        return EditOutcome(
            outcome.ok,
            outcome.summary,
            outcome.edit_id,
            (),
            outcome.lines,
            describe_changes(before, self._catalogs.current),
            reloaded=True,
        )
