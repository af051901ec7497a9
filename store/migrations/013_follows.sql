-- Anyone may follow a campaign's weekly summary in private (/theodoi CODE):
-- many Zalo bots cannot join groups, so a committee's group chat is not the
-- only place to hear of a campaign.
--
-- A follow belongs to the person, not to one of their chats. A person is
-- one person across channels (011_channels.sql), so what they follow is the
-- same whether they ask on Telegram or on Zalo, and /botheodoi on either
-- ends it. The summary goes where the bot writes to them on its own, like
-- their reminders: people.chat_id, the private chat they last wrote from.
-- Keyed by a chat instead, a person writing from both channels would have
-- two lists and two copies, and one they stopped using would keep getting
-- summaries nobody reads.
CREATE TABLE follows (
    person_id     BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    campaign_id   BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    created_at    TIMESTAMPTZ NOT NULL,
    -- A closed campaign's final summary was sent: as for groups
    -- (summary_finals), the follower hears no more about it, though the
    -- follow stays listed until they end it.
    final_sent_at TIMESTAMPTZ,
    PRIMARY KEY (person_id, campaign_id)
);
CREATE INDEX follows_campaign ON follows (campaign_id);

-- The figures a follower was last sent, per target, to say what changed
-- since (as summary_snapshots does for groups). They go with the follow:
-- following again starts afresh.
CREATE TABLE follow_snapshots (
    person_id   BIGINT NOT NULL,
    campaign_id BIGINT NOT NULL,
    target_id   BIGINT NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    pledged     BIGINT NOT NULL,
    received    BIGINT NOT NULL,
    sent_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (person_id, target_id),
    FOREIGN KEY (person_id, campaign_id) REFERENCES follows (person_id, campaign_id) ON DELETE CASCADE
);

-- Following and unfollowing are audited like a group's campaign links.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_entity_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_entity_check
    CHECK (entity IN ('pledge', 'receipt', 'campaign', 'progress', 'role', 'claim', 'invitation', 'statement', 'group', 'follow'));
