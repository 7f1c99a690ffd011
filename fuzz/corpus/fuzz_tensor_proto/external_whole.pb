Btj
locationw.binj
length64p