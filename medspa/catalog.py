"""The default service catalog every new clinic starts with (owners edit it afterwards).

Kept as plain data so the triage engine, the importer and the data migration share one source.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class CatalogEntry:
    name: str
    category: str
    return_interval_days: int
    aliases: tuple[str, ...]
    typical_value: int  # dollars


DEFAULT_CATALOG: tuple[CatalogEntry, ...] = (
    CatalogEntry("Neurotoxin", "injectable", 90, ("Botox", "Dysport", "Xeomin", "Daxxify", "Jeuveau"), 450),
    CatalogEntry("Lip filler", "injectable", 180, ("Lip augmentation",), 750),
    CatalogEntry("Dermal filler", "injectable", 365, ("Juvederm", "Restylane", "RHA", "Cheek filler"), 850),
    CatalogEntry("Laser hair removal", "laser", 42, ("LHR",), 300),
    CatalogEntry("IPL photofacial", "laser", 30, ("IPL", "Photofacial"), 400),
    CatalogEntry("Chemical peel", "skin", 30, ("Peel",), 200),
    CatalogEntry("Microneedling", "skin", 35, (), 450),
    CatalogEntry("HydraFacial", "facial", 30, ("Facial",), 225),
)
