-- Applied to the bench database only (never to Birlik's migrations): PostGraphile's idiomatic
-- "computed columns" for the region figures that need a join or a filter its generated schema cannot
-- express on its own (donation and shipment_item reach region only through composite foreign keys).
CREATE OR REPLACE FUNCTION region_collected_grams(r region) RETURNS bigint AS $$
  SELECT COALESCE(SUM(d.grams), 0)::bigint FROM donation d
  WHERE d.region_id = r.id AND d.status <> 'cancelled'
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION region_shipped_out_grams(r region) RETURNS bigint AS $$
  SELECT COALESCE(SUM(i.grams), 0)::bigint FROM shipment_item i JOIN shipment s ON s.id = i.shipment_id
  WHERE s.origin_region_id = r.id AND s.status IN ('dispatched', 'delivered')
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION region_received_grams(r region) RETURNS bigint AS $$
  SELECT COALESCE(SUM(i.grams), 0)::bigint FROM shipment_item i JOIN shipment s ON s.id = i.shipment_id
  WHERE s.destination_region_id = r.id AND s.status = 'delivered'
$$ LANGUAGE sql STABLE;
