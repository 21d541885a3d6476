-- An expression, not a CTE: the text column in upper case, its full-width digits, letters,
-- space, minus, plus and parentheses made half-width first. translate() costs microseconds a
-- value in DuckDB (as much as the rest of L008), so it runs only on values holding one of the
-- characters it maps (a regex test).
-- @arguments column
upper(CASE WHEN regexp_matches({{ column }}, '[　（）＋－０-９Ａ-Ｚａ-ｚ]')
           THEN translate({{ column }},
                          '０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ　－＋（）',
                          '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz -+()')
           ELSE {{ column }} END)
