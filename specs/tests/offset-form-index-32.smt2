; expect: unsat
; The offset form (invariants-32.smt2) is the kernel's retype for every untyped
; the kernel can hold, whatever its capPtr and seL4_MaxUntypedBits (< 32), is
; proved in three lemmas, the goals `untyped verify` proves for it
; (proofs/any-32/kernel/model-spec.smt2), each solved far faster than the
; whole claim: offset-form-error-32 (the error code), offset-form-first-32
; (the first object, when the error is 0) and offset-form-index-32 (the new
; free index, given the first object); offset-form-32 checks that the three
; together imply inv32.offset-form.
; This lemma: given that first object, the kernel's new free index is
; the offset form's end >> 4.
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
(assert (not (=> (= (k32.retype-aligned-free-ref pptr size fi dev hc valid cls fixed devok user count maxbits slotbits minsc)
       (bvadd pptr (inv32.offset-retype-start fi hc (k32.object-size cls fixed user slotbits))))
    (= (k32.retype-new-free-index pptr size fi dev hc valid cls fixed devok user count maxbits slotbits minsc)
       (bvlshr (inv32.offset-retype-end fi hc (k32.object-size cls fixed user slotbits) count) (_ bv4 32))))))
(check-sat)
