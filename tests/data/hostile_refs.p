cos
system
(S'echo pwned'
tR.