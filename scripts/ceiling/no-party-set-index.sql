-- Trial: without `calls_by_party_set`, which keeps a narrow reach filtered by a party outside
-- it index-driven (issue #20, Deliver 2).
DROP INDEX calls_by_party_set;
