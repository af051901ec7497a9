-- Bank statements treasurers send, and which bank transactions became
-- receipts.

-- A statement as read, kept so that its buttons can act on it later and so
-- that what was applied can be traced to the line of the file it came from.
CREATE TABLE statements (
    id         BIGSERIAL PRIMARY KEY,
    sent_by    BIGINT REFERENCES people (id), -- NULL: danvan reconcile
    file_name  TEXT NOT NULL,
    layout     TEXT NOT NULL,
    bank       TEXT NOT NULL,
    account    TEXT NOT NULL,
    problems   INT NOT NULL DEFAULT 0,        -- lines that could not be read
    created_at TIMESTAMPTZ NOT NULL,
    decision   TEXT CHECK (decision IN ('applied', 'dropped')),
    decided_at TIMESTAMPTZ
);

CREATE TABLE statement_lines (
    id           BIGSERIAL PRIMARY KEY,
    statement_id BIGINT NOT NULL REFERENCES statements (id),
    row_no       INT NOT NULL,
    txn_key      TEXT NOT NULL CHECK (txn_key <> ''),
    ref          TEXT NOT NULL,
    booked_on    DATE NOT NULL,
    amount       BIGINT NOT NULL,
    currency     TEXT NOT NULL,
    memo         TEXT NOT NULL
);
CREATE INDEX statement_lines_statement ON statement_lines (statement_id, row_no);

-- A bank transaction is handled once, whichever statement carried it and
-- however often it is sent: as a receipt, or set aside by the treasurer
-- (receipt_id NULL). The primary key is what makes a second statement with
-- the same transfer change nothing.
CREATE TABLE bank_transactions (
    txn_key    TEXT PRIMARY KEY,
    line_id    BIGINT NOT NULL REFERENCES statement_lines (id),
    receipt_id BIGINT REFERENCES receipts (id),
    handled_by BIGINT REFERENCES people (id),
    handled_at TIMESTAMPTZ NOT NULL
);

-- What a treasurer did with a statement is in the audit trail too (and the
-- group links, which were left out).
ALTER TABLE audit_log DROP CONSTRAINT audit_log_entity_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_entity_check
    CHECK (entity IN ('pledge', 'receipt', 'campaign', 'progress', 'role', 'claim', 'invitation', 'statement', 'group'));
