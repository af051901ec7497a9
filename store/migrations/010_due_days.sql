-- A campaign may give pledges made without a date of their own this many
-- days to be paid (the setup file's due_days); without it they are due when
-- the campaign ends. Either way a pledge is reminded of.
ALTER TABLE campaigns ADD COLUMN due_days INT CHECK (due_days BETWEEN 1 AND 3650);
