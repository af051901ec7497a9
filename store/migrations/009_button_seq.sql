-- Every message with conversation buttons gets a number from this sequence,
-- carried in its buttons' data; a press counts only when its number is the
-- one the person's conversation last asked with. Conversations used to count
-- from 1 again each time one ended, so an old message's button could match a
-- new question: numbers from a sequence never repeat, in any chat. It starts
-- above every number those per-conversation counters reached, so that a
-- conversation under way at the upgrade keeps its buttons and an older
-- message's never match a new one.
CREATE SEQUENCE button_seq START WITH 1048576;
