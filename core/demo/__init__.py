"""Demo stores for ``make run``: a Bengali craft shop, an Armenian bookshop, a corner store."""
