Btj
location../w.binp