; expect: unsat
; The offset form (invariants-64.smt2) is the kernel's retype for every untyped
; the kernel can hold, whatever its capPtr and seL4_MaxUntypedBits (< 64), is
; proved in three lemmas, the goals `untyped verify` proves for it
; (proofs/any-64/kernel/model-spec.smt2), each solved far faster than the
; whole claim: offset-form-error-64 (the error code), offset-form-first-64
; (the first object, when the error is 0) and offset-form-index-64 (the new
; free index, given the first object); offset-form-64 checks that the three
; together imply inv64.offset-form.
; This lemma: the kernel's error code equals the offset form's.
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
(assert (not (=> (and (inv64.untyped-ok pptr size maxbits)
              (bvult maxbits (_ bv64 64))
              (bvule (bvshl fi (_ bv4 64)) (k64.bit size)))
    (= (k64.retype-error pptr size fi dev hc valid cls fixed devok user count maxbits slotbits minsc)
       (inv64.offset-retype-error size fi dev hc valid cls fixed devok user count maxbits slotbits minsc)))))
(check-sat)
