; expect: unsat
; The offset form (invariants-64.smt2) is the kernel's retype for every untyped
; the kernel can hold, whatever its capPtr and seL4_MaxUntypedBits (< 64): no
; input violates inv64.offset-form.
(declare-const pptr (_ BitVec 64))
(declare-const size (_ BitVec 64))
(declare-const fi (_ BitVec 64))
(declare-const dev Bool)
(declare-const hc Bool)
(declare-const valid Bool)
(declare-const cls (_ BitVec 64))
(declare-const fixed (_ BitVec 64))
(declare-const devok Bool)
(declare-const user (_ BitVec 64))
(declare-const count (_ BitVec 64))
(declare-const maxbits (_ BitVec 64))
(declare-const slotbits (_ BitVec 64))
(declare-const minsc (_ BitVec 64))
(assert (not (inv64.offset-form pptr size fi dev hc valid cls fixed devok user count maxbits slotbits minsc)))
(check-sat)
