"""Erasure: the one place the ledger changes what it recorded. A supporter who asks to be left
out is removed from items, events, files and received mail; what is left is what a record of
sent mail needs (that a letter went, to whom in public life, when)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from konpfoi.ledger.sql.base import SqlBase


class ErasureSql(SqlBase):
    def redact_item(self, item_id: str, *, sender_name: str | None,
                    sender_email: str | None) -> None:
        """Replace an item's sender; its drafted message (which names them) is let go."""
        self.db.execute("UPDATE items SET sender_name = ?, sender_email = ?, "
                        "message_sha256 = NULL WHERE id = ?",
                        (sender_name, sender_email, item_id))
        # a batch's claim is keyed by the sender's address: it goes (left_out keeps them out)
        self.db.execute("DELETE FROM batch_claims WHERE item_id = ?", (item_id,))

    def redact_event(self, uid: str, data: dict[str, Any] | None, note: str | None) -> None:
        raw = json.dumps(data, sort_keys=True, ensure_ascii=False) if data else None
        self.db.execute("UPDATE events SET data = ?, note = ? WHERE uid = ?", (raw, note, uid))

    def drop_attachments(self, event_uids: Sequence[str]) -> list[str]:
        """Forget the files kept with these events; their hashes (to drop the content)."""
        if not event_uids:
            return []
        marks = ", ".join("?" * len(event_uids))
        shas = [r[0] for r in self.db.execute(
            f"SELECT sha256 FROM attachments WHERE event_uid IN ({marks})", list(event_uids))]
        self.db.execute(f"DELETE FROM attachments WHERE event_uid IN ({marks})",
                        list(event_uids))
        return shas

    def drop_blob(self, sha256: str) -> bool:
        """Let content go unless something still refers to it; True if it went."""
        used = self.db.one(
            "SELECT 1 FROM attachments WHERE sha256 = ? UNION ALL "
            "SELECT 1 FROM items WHERE message_sha256 = ?", (sha256, sha256))
        if used:
            return False
        self.db.execute("DELETE FROM blobs WHERE sha256 = ?", (sha256,))
        return True

    def redact_inbound(self, key: str) -> None:
        """A received message from someone left out: who sent it and what it said go."""
        self.db.execute("UPDATE inbound SET sender = NULL, subject = NULL, message_id = NULL, "
                        "candidates = NULL, problems = NULL, reason = NULL WHERE key = ?",
                        (key,))
