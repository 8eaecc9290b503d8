-- A new purchase checks that its pickup code is not in use at the same
-- business, and a pickup looks the code up: both by the code. Without
-- this index the check read every open purchase, so each purchase cost
-- more as the table grew (BENCHMARKS.md §9).
CREATE INDEX purchases_pickup_code ON purchases (pickup_code);
