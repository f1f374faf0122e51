"""Risk exposure: Simchi-Levi time-to-recover / time-to-survive LPs and the risk exposure index."""
