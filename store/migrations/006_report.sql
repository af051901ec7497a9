-- Weekly summaries: a group that follows a campaign which has been closed
-- gets one final summary of it and then hears no more about it. The row
-- says the final summary was sent; it also keeps a campaign closed before
-- the group followed it out of the group's summaries after the first one.
CREATE TABLE summary_finals (
    chat_id     BIGINT NOT NULL REFERENCES groups (chat_id) ON DELETE CASCADE ON UPDATE CASCADE,
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    sent_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (chat_id, campaign_id)
);

-- What a group was last told follows the group when Telegram moves it to a
-- new chat id (upgrade to a supergroup), like its campaign links do.
ALTER TABLE summary_snapshots ADD FOREIGN KEY (chat_id) REFERENCES groups (chat_id)
    ON DELETE CASCADE ON UPDATE CASCADE;
