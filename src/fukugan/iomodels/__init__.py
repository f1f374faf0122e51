"""Input-output models on numpy/scipy arrays (no I/O, no globals), in Miller & Blair notation.

- :mod:`.leontief`: A = Z x̂⁻¹, L = (I − A)⁻¹, x = L y by LU solves, multipliers;
- :mod:`.ghosh`: B = x̂⁻¹ Z, G = (I − B)⁻¹ = x̂⁻¹ L x̂, supply-driven x′ = v′ G;
- :mod:`.extraction`: hypothetical extraction (total, backward, forward linkages);
- :mod:`.import_content`: direct and total (multi-tier) import content of output;
- :mod:`.price`: the Leontief price model, cost-push and import-price shocks;
- :mod:`.mrio`: MRIO accounts as pymrio's ``calc_all`` (x, A, S, M, footprints) by solves;
- :mod:`.shocks`: static shocks split into direct / indirect parts, rows of the run format.

Reference: Miller, R. E. and Blair, P. D. (2009), *Input-Output Analysis: Foundations and
Extensions*, 2nd ed., Cambridge University Press.
"""

from __future__ import annotations

from fukugan.iomodels.extraction import (
    ExtractionLinkages,
    extract,
    extraction_linkages,
    linkages_from_model,
    total_linkage,
)
from fukugan.iomodels.ghosh import (
    GhoshModel,
    allocation_coefficients,
    ghosh_from_leontief,
    ghosh_inverse,
    supply_driven_output,
)
from fukugan.iomodels.import_content import (
    ImportContent,
    direct_import_content,
    import_content,
    import_content_by_origin,
    import_dependence,
)
from fukugan.iomodels.leontief import (
    LeontiefModel,
    leontief_inverse,
    solve_output,
    technical_coefficients,
)
from fukugan.iomodels.price import (
    PriceModel,
    cost_push,
    import_cost_push,
    leontief_prices,
    value_added_coefficients,
)
from fukugan.iomodels.productive import NonProductiveError

__all__ = [
    "ExtractionLinkages",
    "GhoshModel",
    "ImportContent",
    "LeontiefModel",
    "NonProductiveError",
    "PriceModel",
    "allocation_coefficients",
    "cost_push",
    "direct_import_content",
    "extract",
    "extraction_linkages",
    "ghosh_from_leontief",
    "ghosh_inverse",
    "import_content",
    "import_cost_push",
    "import_content_by_origin",
    "import_dependence",
    "leontief_inverse",
    "leontief_prices",
    "linkages_from_model",
    "solve_output",
    "supply_driven_output",
    "technical_coefficients",
    "total_linkage",
    "value_added_coefficients",
]
