"""tifa (提法): comparative text mining of Chinese government reports.

The flow is one way: corpus -> units -> tokens -> analyses -> charts -> exports.
See DESIGN.md (architecture) and tifa.schemas (the column contracts of each stage).
"""

__version__ = "0.1.0"
