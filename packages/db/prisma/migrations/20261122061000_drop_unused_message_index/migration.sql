-- Every lookup by WhatsApp id also names the session, which the unique (sessionId, waMessageId)
-- index serves. This one only cost a write on every message insert and status change.
-- (No semicolons in comments: prisma migrate deploy splits the script on them.)
DROP INDEX "Message_waMessageId_idx";
