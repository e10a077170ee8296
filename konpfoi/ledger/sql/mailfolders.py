"""How far each IMAP folder has been read: its UIDVALIDITY and the last UID recorded."""

from __future__ import annotations

from konpfoi.ledger.model import now_utc
from konpfoi.ledger.sql.base import SqlBase

_SAVE = ("INSERT INTO mail_folders (account, folder, uidvalidity, last_uid, updated_at) "
         "VALUES (?, ?, ?, ?, ?) ON CONFLICT (account, folder) DO UPDATE SET "
         "uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid, "
         "updated_at = excluded.updated_at")


class MailFoldersSql(SqlBase):
    def mail_folder(self, account: str, folder: str) -> tuple[str, int] | None:
        row = self.db.one("SELECT uidvalidity, last_uid FROM mail_folders "
                          "WHERE account = ? AND folder = ?", (account, folder))
        return (str(row[0]), int(row[1])) if row else None

    def save_mail_folder(self, account: str, folder: str, uidvalidity: str,
                         last_uid: int) -> None:
        self.db.execute(_SAVE, (account, folder, uidvalidity, last_uid, now_utc()))
