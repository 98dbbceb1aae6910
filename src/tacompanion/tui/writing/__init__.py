"""Writing up: the reflexive journal and every memo, and answers by guide question."""
