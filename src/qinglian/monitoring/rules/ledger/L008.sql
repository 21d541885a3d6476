-- L008 供应商与员工关联: a vendor and an employee share a phone number, a bank account, an
-- address, or the vendor's legal representative has the employee's name — compared after
-- normalisation in SQL (so the engine alone decides, on both engines alike): see
-- fragments/contact_keys.sql (province/city prefixes of addresses are not stripped: a looser
-- match needs core.normalise).
-- One hit per vendor–employee pair; value = how many of the four kinds match;
-- evidence = the employee row.
WITH {{ contact_keys(side=vendor, ledger=vendors, name=legal_representative) }},
{{ contact_keys(side=employee, ledger=employees, name=name) }},
matches AS (
  SELECT DISTINCT v.vendor_id, e.employee_id, v.kind
  FROM usable_vendor AS v
  JOIN usable_employee AS e ON e.kind = v.kind AND e.value = v.value
)
SELECT 'Vendor' AS group_name, m.vendor_id || '|' || m.employee_id AS subject_id,
       CAST(count(*) AS DOUBLE) AS value, min(e.department) AS unit, m.vendor_id AS vendor_id,
       [m.employee_id] AS evidence_keys
FROM matches AS m
JOIN employees AS e ON e.employee_id = m.employee_id
GROUP BY m.vendor_id, m.employee_id
