Btj
locationw.binj
offset128j
length32p