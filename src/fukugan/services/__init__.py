"""Use cases shared by every interface (CLI now, API and web later). No printing here."""
