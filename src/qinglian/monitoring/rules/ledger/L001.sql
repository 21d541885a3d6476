-- L001 拆分订单: split purchases over 订单 (purchase_orders): one unit's below-threshold 订单s to
-- one vendor that reach the approval threshold together within the window; each hit's evidence
-- is the below-threshold 订单s of its merged span. The query: fragments/split_purchases.sql.
{{ split_purchases(ledger=purchase_orders, key=order_id, day=ordered_on) }}
