-- A sent draft the citizen reopened to answer the town hall's request for
-- more information names the case it answers: sending it again continues
-- that case instead of making a new one.
ALTER TABLE drafts ADD COLUMN answers TEXT;
