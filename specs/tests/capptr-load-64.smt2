; expect: unsat
;; Reading back capPtr of an untyped cap on 64-bit configurations.
(assert (not (and
  ;; kind 0, 48 bits (x86_64, aarch64 without hypervisor): sign-extended
  (= (k64.capptr-load #xffff800000001000 (_ bv0 64) (_ bv48 64)) #xffff800000001000)
  (= (k64.capptr-load #xffffff8000000000 (_ bv0 64) (_ bv48 64)) #xffffff8000000000)
  (= (k64.capptr-load #x00007fffffffffff (_ bv0 64) (_ bv48 64)) #x00007fffffffffff)
  (= (k64.capptr-load #x0000000000000000 (_ bv0 64) (_ bv48 64)) #x0000000000000000)
  ;; a non-canonical pointer is canonicalised
  (= (k64.capptr-load #x0000800000000000 (_ bv0 64) (_ bv48 64)) #xffff800000000000)
  (= (k64.capptr-load #x1234000000002000 (_ bv0 64) (_ bv48 64)) #x0000000000002000)
  ;; kind 0, 39 bits (riscv64 Sv39)
  (= (k64.capptr-load #xffffffc000000000 (_ bv0 64) (_ bv39 64)) #xffffffc000000000)
  (= (k64.capptr-load #x0000004000000000 (_ bv0 64) (_ bv39 64)) #xffffffc000000000)
  (= (k64.capptr-load #x0000003fffffffff (_ bv0 64) (_ bv39 64)) #x0000003fffffffff)
  ;; kind 1, 48 bits (aarch64 with hypervisor): zero-extended
  (= (k64.capptr-load #x0000008000000000 (_ bv1 64) (_ bv48 64)) #x0000008000000000)
  (= (k64.capptr-load #x0000ffffc0000000 (_ bv1 64) (_ bv48 64)) #x0000ffffc0000000)
  (= (k64.capptr-load #xffff800000001000 (_ bv1 64) (_ bv48 64)) #x0000800000001000)
  ;; kind 2 (32-bit layout) in this width: low 4 bits cleared, bits ignored
  (= (k64.capptr-load #x000000000000001f (_ bv2 64) (_ bv48 64)) #x0000000000000010))))
(check-sat)
