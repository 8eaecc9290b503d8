-- Nearest-deal search on latitude bands of 0.01° (about 1.1 km): the index
-- is searched band by band, each band on a longitude range, so a search
-- reads about the entries of its box instead of a whole strip of the city
-- across the box's latitudes. Latitude, pickup end and the id are in the
-- index too: the search filters and ranks without reading a row, and only
-- the nearest it returns are read. `Store::nearest_active` computes the
-- bands with the same expression (monotonic in the latitude).
-- SQLite: a virtual generated column (ALTER TABLE can't add a stored one);
-- CAST truncates, which is floor for the non-negative lat + 90.
ALTER TABLE offers ADD COLUMN lat_band INTEGER GENERATED ALWAYS AS (CAST((lat + 90.0) * 100 AS INTEGER)) VIRTUAL;
DROP INDEX offers_active_geo;
CREATE INDEX offers_active_band ON offers (lat_band, lng, lat, pickup_end) WHERE status = 'active';
