-- Tabs an Office Manager (or the reseller) hides from a scope in its domain's portal.
-- Hiding only removes a tab from the portal; it grants nothing and blocks no API call.
CREATE TABLE portal_hidden_tabs (
    domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    scope TEXT NOT NULL,
    layout TEXT NOT NULL,
    tab TEXT NOT NULL,
    PRIMARY KEY (domain_id, scope, layout, tab)
);
