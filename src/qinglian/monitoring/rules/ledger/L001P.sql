-- L001P 拆分付款: split purchases over 付款 (payments): one unit's below-threshold 付款s to one
-- vendor that reach the approval threshold together within the window; each hit's evidence is
-- the below-threshold 付款s of its merged span. The query: fragments/split_purchases.sql.
{{ split_purchases(ledger=payments, key=payment_id, day=paid_on) }}
