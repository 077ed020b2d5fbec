;; One row of the ink page's distances (flatten.ts, inkRowInWords) sixteen pixels a vector: the same bytes
;; and the same list of inked groups as the JS path, which stays the reference (ink-row-simd.ts drives this,
;; tools/build-ink-row-wasm.mjs compiles it into ink-row-wasm.ts).
;;
;; Memory, laid out by ink-row-simd.ts for each page:
;;   0..127     the page's counts: for each level L of 4..11, four i32 lanes whose sum is the number of
;;              distances of at most L (all the floor needs: see inkFloorOfCounts in flatten.ts)
;;   128..271   constants (the data segment below): sixteen bytes of each of 5..12, then of 16. Loaded from
;;              memory, one instruction each: V8 rebuilds a v128.const in the loop with three every time, and
;;              holding them in locals spills the counters instead (a page: 2.7-2.8 ms; 3.3 with v128.const,
;;              3.4-3.5 in locals)
;;   $pieces    each piece of the row 20 bytes: lower, upper (indices into $rowOf), first weight, weight per
;;              pixel (units), end (exclusive, a multiple of 4)
;;   $rowOf     the row's blocks' background (i32, whole units), written by the caller for each row
;;   $row       the row's gray bytes, overwritten in place by their distances (four 255s for a group of paper)
;;   $list      the row's groups (pixel x / 4) that are not paper, in order; their number is the result
(module
  (memory (export "memory") 1)
  (data (i32.const 128) "\05\05\05\05\05\05\05\05\05\05\05\05\05\05\05\05") ;; 5
  (data (i32.const 144) "\06\06\06\06\06\06\06\06\06\06\06\06\06\06\06\06") ;; 6
  (data (i32.const 160) "\07\07\07\07\07\07\07\07\07\07\07\07\07\07\07\07") ;; 7
  (data (i32.const 176) "\08\08\08\08\08\08\08\08\08\08\08\08\08\08\08\08") ;; 8
  (data (i32.const 192) "\09\09\09\09\09\09\09\09\09\09\09\09\09\09\09\09") ;; 9
  (data (i32.const 208) "\0a\0a\0a\0a\0a\0a\0a\0a\0a\0a\0a\0a\0a\0a\0a\0a") ;; 10
  (data (i32.const 224) "\0b\0b\0b\0b\0b\0b\0b\0b\0b\0b\0b\0b\0b\0b\0b\0b") ;; 11
  (data (i32.const 240) "\0c\0c\0c\0c\0c\0c\0c\0c\0c\0c\0c\0c\0c\0c\0c\0c") ;; 12
  (data (i32.const 256) "\10\10\10\10\10\10\10\10\10\10\10\10\10\10\10\10") ;; 16

  (func (export "row")
    (param $rowOf i32) (param $pieces i32) (param $count i32) (param $unit i32) (param $shift i32)
    (param $row i32) (param $list i32)
    (result i32)
    (local $scale i32) (local $piece i32) (local $end i32) (local $x i32) (local $left i32) (local $rise i32) (local $step i32)
    (local $piecesEnd i32) (local $listed i32) (local $budget i32) (local $bits i32) (local $word i32)
    (local $background v128) (local $by4 v128) (local $by8 v128) (local $by12 v128) (local $by16 v128)
    (local $half v128) (local $gray v128) (local $low v128) (local $high v128) (local $d v128) (local $ink v128)
    (local $paper v128)
    (local $c4 v128) (local $c5 v128) (local $c6 v128) (local $c7 v128)
    (local $c8 v128) (local $c9 v128) (local $c10 v128) (local $c11 v128)

    ;; The arithmetic in 1/2^16 of a level whatever the page's 2^shift (at most 2^16, flatten.ts MAX_UNIT): the
    ;; backgrounds scaled up by 2^(16 - shift), the same distances, and every shift in the loops a constant
    ;; (a shift by a variable costs V8 a few instructions each time). 255 * 2^16 still fits an i32.
    (local.set $half (v128.const i32x4 32768 32768 32768 32768))
    (local.set $scale (i32.sub (i32.const 16) (local.get $shift)))
    ;; The counters are bytes: each vector adds at most one per lane, so they are added into the page's
    ;; counts before the 256th.
    (local.set $budget (i32.const 255))
    (local.set $piece (local.get $pieces))
    (local.set $piecesEnd (i32.add (local.get $pieces) (i32.mul (local.get $count) (i32.const 20))))
    (block $rowDone
      (loop $pieceLoop
        (br_if $rowDone (i32.ge_u (local.get $piece) (local.get $piecesEnd)))
        (local.set $left
          (i32.load (i32.add (local.get $rowOf) (i32.shl (i32.load (local.get $piece)) (i32.const 2)))))
        (local.set $rise
          (i32.sub
            (i32.load (i32.add (local.get $rowOf) (i32.shl (i32.load offset=4 (local.get $piece)) (i32.const 2))))
            (local.get $left)))
        (local.set $step (i32.shl (i32.mul (local.get $rise) (i32.load offset=12 (local.get $piece))) (local.get $scale)))
        (local.set $end (i32.load offset=16 (local.get $piece)))
        ;; The background of pixels x .. x + 3 in 1/2^16 of a level (inkRowInWords' raised - half, scaled).
        (local.set $background
          (i32x4.add
            (i32x4.splat
              (i32.shl
                (i32.add
                  (i32.mul (local.get $left) (local.get $unit))
                  (i32.mul (local.get $rise) (i32.load offset=8 (local.get $piece))))
                (local.get $scale)))
            (i32x4.mul (i32x4.splat (local.get $step)) (v128.const i32x4 0 1 2 3))))
        (local.set $by4 (i32x4.splat (i32.shl (local.get $step) (i32.const 2))))
        (local.set $by8 (i32x4.add (local.get $by4) (local.get $by4)))
        (local.set $by12 (i32x4.add (local.get $by8) (local.get $by4)))
        (local.set $by16 (i32x4.add (local.get $by8) (local.get $by8)))

        ;; Sixteen pixels at a time.
        (block $sixteensDone
          (loop $sixteens
            (br_if $sixteensDone (i32.gt_u (i32.add (local.get $x) (i32.const 16)) (local.get $end)))
            (local.set $gray (v128.load (i32.add (local.get $row) (local.get $x))))
            (local.set $low (i16x8.extend_low_i8x16_u (local.get $gray)))
            (local.set $high (i16x8.extend_high_i8x16_u (local.get $gray)))
            ;; d = (|gray * 2^16 - background| + 2^15) >> 16, four lanes at a time, narrowed back to bytes
            ;; (at most 255: both terms lie within 0 .. 255 * 2^16).
            (local.set $d
              (i8x16.narrow_i16x8_u
                (i16x8.narrow_i32x4_u
                  (i32x4.shr_u
                    (i32x4.add
                      (i32x4.abs
                        (i32x4.sub
                          (i32x4.shl (i32x4.extend_low_i16x8_u (local.get $low)) (i32.const 16))
                          (local.get $background)))
                      (local.get $half))
                    (i32.const 16))
                  (i32x4.shr_u
                    (i32x4.add
                      (i32x4.abs
                        (i32x4.sub
                          (i32x4.shl (i32x4.extend_high_i16x8_u (local.get $low)) (i32.const 16))
                          (i32x4.add (local.get $background) (local.get $by4))))
                      (local.get $half))
                    (i32.const 16)))
                (i16x8.narrow_i32x4_u
                  (i32x4.shr_u
                    (i32x4.add
                      (i32x4.abs
                        (i32x4.sub
                          (i32x4.shl (i32x4.extend_low_i16x8_u (local.get $high)) (i32.const 16))
                          (i32x4.add (local.get $background) (local.get $by8))))
                      (local.get $half))
                    (i32.const 16))
                  (i32x4.shr_u
                    (i32x4.add
                      (i32x4.abs
                        (i32x4.sub
                          (i32x4.shl (i32x4.extend_high_i16x8_u (local.get $high)) (i32.const 16))
                          (i32x4.add (local.get $background) (local.get $by12))))
                      (local.get $half))
                    (i32.const 16)))))
            (local.set $background (i32x4.add (local.get $background) (local.get $by16)))
            ;; Counted: each counter takes 1 (a compare's -1 subtracted) for a distance of at most its level. The
            ;; distances clamped to 12 compare as signed bytes with level + 1 (at 128 + 16 * (level - 4)), one
            ;; instruction each.
            (local.set $low (i8x16.min_u (local.get $d) (v128.load offset=240 (i32.const 0))))
            (local.set $c4 (i8x16.sub (local.get $c4) (i8x16.gt_s (v128.load offset=128 (i32.const 0)) (local.get $low))))
            (local.set $c5 (i8x16.sub (local.get $c5) (i8x16.gt_s (v128.load offset=144 (i32.const 0)) (local.get $low))))
            (local.set $c6 (i8x16.sub (local.get $c6) (i8x16.gt_s (v128.load offset=160 (i32.const 0)) (local.get $low))))
            (local.set $c7 (i8x16.sub (local.get $c7) (i8x16.gt_s (v128.load offset=176 (i32.const 0)) (local.get $low))))
            (local.set $c8 (i8x16.sub (local.get $c8) (i8x16.gt_s (v128.load offset=192 (i32.const 0)) (local.get $low))))
            (local.set $c9 (i8x16.sub (local.get $c9) (i8x16.gt_s (v128.load offset=208 (i32.const 0)) (local.get $low))))
            (local.set $c10 (i8x16.sub (local.get $c10) (i8x16.gt_s (v128.load offset=224 (i32.const 0)) (local.get $low))))
            (local.set $c11 (i8x16.sub (local.get $c11) (i8x16.gt_s (v128.load offset=240 (i32.const 0)) (local.get $low))))
            ;; A group of four none past MIN_INK_FLOOR (16) is paper on any page: written as four 255s. $ink is
            ;; each distance's excess over 16, zero for paper.
            (local.set $ink (i8x16.sub_sat_u (local.get $d) (v128.load offset=256 (i32.const 0))))
            (local.set $paper (i32x4.eq (local.get $ink) (v128.const i32x4 0 0 0 0)))
            (v128.store (i32.add (local.get $row) (local.get $x)) (v128.or (local.get $d) (local.get $paper)))
            (local.set $bits (i32.xor (i32x4.bitmask (local.get $paper)) (i32.const 15)))
            (block $listDone
              (loop $listing
                (br_if $listDone (i32.eqz (local.get $bits)))
                (i32.store
                  (i32.add (local.get $list) (i32.shl (local.get $listed) (i32.const 2)))
                  (i32.add (i32.shr_u (local.get $x) (i32.const 2)) (i32.ctz (local.get $bits))))
                (local.set $listed (i32.add (local.get $listed) (i32.const 1)))
                (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
                (br $listing)))
            (local.set $x (i32.add (local.get $x) (i32.const 16)))
            (local.set $budget (i32.sub (local.get $budget) (i32.const 1)))
            (if (i32.eqz (local.get $budget))
              (then
                (call $addCounts (local.get $c4) (local.get $c5) (local.get $c6) (local.get $c7)
                  (local.get $c8) (local.get $c9) (local.get $c10) (local.get $c11))
                (local.set $c4 (v128.const i32x4 0 0 0 0)) (local.set $c5 (v128.const i32x4 0 0 0 0))
                (local.set $c6 (v128.const i32x4 0 0 0 0)) (local.set $c7 (v128.const i32x4 0 0 0 0))
                (local.set $c8 (v128.const i32x4 0 0 0 0)) (local.set $c9 (v128.const i32x4 0 0 0 0))
                (local.set $c10 (v128.const i32x4 0 0 0 0)) (local.set $c11 (v128.const i32x4 0 0 0 0))
                (local.set $budget (i32.const 255))))
            (br $sixteens)))

        ;; The piece's last groups of four, one at a time: only lane 0 (four bytes) holds distances.
        (block $foursDone
          (loop $fours
            (br_if $foursDone (i32.ge_u (local.get $x) (local.get $end)))
            (local.set $d
              (i8x16.narrow_i16x8_u
                (i16x8.narrow_i32x4_u
                  (i32x4.shr_u
                    (i32x4.add
                      (i32x4.abs
                        (i32x4.sub
                          (i32x4.shl
                            (i32x4.extend_low_i16x8_u
                              (i16x8.extend_low_i8x16_u (v128.load32_zero (i32.add (local.get $row) (local.get $x)))))
                            (i32.const 16))
                          (local.get $background)))
                      (local.get $half))
                    (i32.const 16))
                  (v128.const i32x4 0 0 0 0))
                (v128.const i32x4 0 0 0 0)))
            (local.set $background (i32x4.add (local.get $background) (local.get $by4)))
            ;; The lanes past the group's four counted as 255: at no counter's level.
            (local.set $gray (v128.or (local.get $d) (v128.const i32x4 0 -1 -1 -1)))
            (local.set $c4 (i8x16.sub (local.get $c4) (i8x16.le_u (local.get $gray) (v128.const i8x16 4 4 4 4 4 4 4 4 4 4 4 4 4 4 4 4))))
            (local.set $c5 (i8x16.sub (local.get $c5) (i8x16.le_u (local.get $gray) (v128.const i8x16 5 5 5 5 5 5 5 5 5 5 5 5 5 5 5 5))))
            (local.set $c6 (i8x16.sub (local.get $c6) (i8x16.le_u (local.get $gray) (v128.const i8x16 6 6 6 6 6 6 6 6 6 6 6 6 6 6 6 6))))
            (local.set $c7 (i8x16.sub (local.get $c7) (i8x16.le_u (local.get $gray) (v128.const i8x16 7 7 7 7 7 7 7 7 7 7 7 7 7 7 7 7))))
            (local.set $c8 (i8x16.sub (local.get $c8) (i8x16.le_u (local.get $gray) (v128.const i8x16 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8))))
            (local.set $c9 (i8x16.sub (local.get $c9) (i8x16.le_u (local.get $gray) (v128.const i8x16 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9))))
            (local.set $c10 (i8x16.sub (local.get $c10) (i8x16.le_u (local.get $gray) (v128.const i8x16 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10))))
            (local.set $c11 (i8x16.sub (local.get $c11) (i8x16.le_u (local.get $gray) (v128.const i8x16 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11))))
            (local.set $word (i32x4.extract_lane 0 (local.get $d)))
            (if (v128.any_true (i8x16.gt_u (local.get $d) (v128.const i8x16 16 16 16 16 16 16 16 16 16 16 16 16 16 16 16 16)))
              (then
                (i32.store (i32.add (local.get $row) (local.get $x)) (local.get $word))
                (i32.store
                  (i32.add (local.get $list) (i32.shl (local.get $listed) (i32.const 2)))
                  (i32.shr_u (local.get $x) (i32.const 2)))
                (local.set $listed (i32.add (local.get $listed) (i32.const 1))))
              (else (i32.store (i32.add (local.get $row) (local.get $x)) (i32.const -1))))
            (local.set $x (i32.add (local.get $x) (i32.const 4)))
            (local.set $budget (i32.sub (local.get $budget) (i32.const 1)))
            (if (i32.eqz (local.get $budget))
              (then
                (call $addCounts (local.get $c4) (local.get $c5) (local.get $c6) (local.get $c7)
                  (local.get $c8) (local.get $c9) (local.get $c10) (local.get $c11))
                (local.set $c4 (v128.const i32x4 0 0 0 0)) (local.set $c5 (v128.const i32x4 0 0 0 0))
                (local.set $c6 (v128.const i32x4 0 0 0 0)) (local.set $c7 (v128.const i32x4 0 0 0 0))
                (local.set $c8 (v128.const i32x4 0 0 0 0)) (local.set $c9 (v128.const i32x4 0 0 0 0))
                (local.set $c10 (v128.const i32x4 0 0 0 0)) (local.set $c11 (v128.const i32x4 0 0 0 0))
                (local.set $budget (i32.const 255))))
            (br $fours)))

        (local.set $piece (i32.add (local.get $piece) (i32.const 20)))
        (br $pieceLoop)))
    (call $addCounts (local.get $c4) (local.get $c5) (local.get $c6) (local.get $c7)
      (local.get $c8) (local.get $c9) (local.get $c10) (local.get $c11))
    (local.get $listed))

  ;; The byte counters added into the page's counts (i32 lanes at 0..127), each byte lane's count summed
  ;; pairwise into the four i32 lanes.
  (func $addCounts
    (param $c4 v128) (param $c5 v128) (param $c6 v128) (param $c7 v128)
    (param $c8 v128) (param $c9 v128) (param $c10 v128) (param $c11 v128)
    (v128.store offset=0 (i32.const 0) (i32x4.add (v128.load offset=0 (i32.const 0)) (call $widened (local.get $c4))))
    (v128.store offset=16 (i32.const 0) (i32x4.add (v128.load offset=16 (i32.const 0)) (call $widened (local.get $c5))))
    (v128.store offset=32 (i32.const 0) (i32x4.add (v128.load offset=32 (i32.const 0)) (call $widened (local.get $c6))))
    (v128.store offset=48 (i32.const 0) (i32x4.add (v128.load offset=48 (i32.const 0)) (call $widened (local.get $c7))))
    (v128.store offset=64 (i32.const 0) (i32x4.add (v128.load offset=64 (i32.const 0)) (call $widened (local.get $c8))))
    (v128.store offset=80 (i32.const 0) (i32x4.add (v128.load offset=80 (i32.const 0)) (call $widened (local.get $c9))))
    (v128.store offset=96 (i32.const 0) (i32x4.add (v128.load offset=96 (i32.const 0)) (call $widened (local.get $c10))))
    (v128.store offset=112 (i32.const 0) (i32x4.add (v128.load offset=112 (i32.const 0)) (call $widened (local.get $c11)))))

  (func $widened (param $bytes v128) (result v128)
    (i32x4.extadd_pairwise_i16x8_u (i16x8.extadd_pairwise_i8x16_u (local.get $bytes)))))
