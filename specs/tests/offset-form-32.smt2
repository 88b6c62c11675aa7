; expect: unsat
; The offset form (invariants-32.smt2) is the kernel's retype for every untyped
; the kernel can hold, whatever its capPtr and seL4_MaxUntypedBits (< 32): no
; input violates inv32.offset-form.
(declare-const pptr (_ BitVec 32))
(declare-const size (_ BitVec 32))
(declare-const fi (_ BitVec 32))
(declare-const dev Bool)
(declare-const hc Bool)
(declare-const valid Bool)
(declare-const cls (_ BitVec 32))
(declare-const fixed (_ BitVec 32))
(declare-const devok Bool)
(declare-const user (_ BitVec 32))
(declare-const count (_ BitVec 32))
(declare-const maxbits (_ BitVec 32))
(declare-const slotbits (_ BitVec 32))
(declare-const minsc (_ BitVec 32))
(assert (not (inv32.offset-form pptr size fi dev hc valid cls fixed devok user count maxbits slotbits minsc)))
(check-sat)
