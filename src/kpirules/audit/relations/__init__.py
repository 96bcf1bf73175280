"""The relations a published table must keep, one module each: its rows (:mod:`.rows`), its
subtotal rows (:mod:`.subtotals`), its total and grade (:mod:`.totals`) and the figures of its
text (:mod:`.figures`). Each module holds its relations' checks, the corrections and likely causes
the reconstruction uses, and the findings made of them; :mod:`.base` what they share, and
:mod:`.sums` the causes a subtotal shares with the total."""
