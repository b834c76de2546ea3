-- Phone numbers as digits only, indexed, so staff can find a customer by number without a
-- scan (postgres dialect; kept in step with the other dialect's file).
ALTER TABLE phone_numbers ADD COLUMN phone_digits TEXT;
UPDATE phone_numbers SET phone_digits = REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(
    display_phone_number, ' ', ''), '+', ''), '-', ''), '(', ''), ')', '');
CREATE INDEX phone_numbers_digits_idx ON phone_numbers (phone_digits);
