"""Which numbers of a campaign a removal (or its preview) matches."""

from __future__ import annotations

from dataclasses import dataclass, fields

from .recycle import RecycleWindow


@dataclass(frozen=True)
class NumberFilter:
    """The given filters, combined with AND; None means not given. The delete interface
    gives the first five (``recycle``: from recycleTime and recycleType); a batch delete
    is ``batch_id`` alone, an import rollback ``import_task_id`` alone."""

    session_id: str | None = None
    called: str | None = None
    custom_field: str | None = None
    recycle: RecycleWindow | None = None
    batch_id: str | None = None
    import_task_id: int | None = None

    @property
    def shape(self) -> tuple[str, ...]:
        """Which filters are given (and whether the recycle window has a lower bound): the
        store builds one statement per shape."""
        given = tuple(f.name for f in fields(self) if getattr(self, f.name) is not None)
        if self.recycle is not None and self.recycle.lower is not None:
            given += ("recycle_lower",)
        return given
