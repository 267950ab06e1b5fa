"""Result tables -> figures. Charts draw what a table says and compute no statistics.

``style`` (the CJK font, house style, sizes, palette), ``charts`` (base figures and the
building blocks every chart shares), ``keyword_charts``, ``theme_charts``, ``slogan_charts``
(the figures of notebooks 01-04). Nothing here imports :mod:`tifa.analyze`.
"""
