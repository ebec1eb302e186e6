-- Every lookup by WhatsApp id also names the session, which the unique (sessionId, waMessageId)
-- index serves; this one only cost a write on every message insert and status change.
DROP INDEX "Message_waMessageId_idx";
