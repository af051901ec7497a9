-- Admins named in DANVAN_ADMINS hold their role with source 'env': `danvan
-- setup` replaces only 'setup' roles and so leaves them alone, and `danvan
-- serve` can remove the admins taken out of the variable without touching
-- roles given in the chat.
ALTER TABLE roles DROP CONSTRAINT roles_source_check;
ALTER TABLE roles ADD CONSTRAINT roles_source_check CHECK (source IN ('setup', 'chat', 'env'));

