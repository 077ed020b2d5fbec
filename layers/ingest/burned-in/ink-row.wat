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
;;
;; The page itself may be rendered here first (range, render, medians; render-in-module.ts lays them out):
;; the frame's 16-bit samples' range, then the samples a block row at a time through the display table into
;; the page's gray bytes, counted into each block column's histograms, and the block row's medians taken. The
;; row above then runs on the page in place.
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
    (i32x4.extadd_pairwise_i16x8_u (i16x8.extadd_pairwise_i8x16_u (local.get $bytes))))

  ;; `rows` rows of `width` 16-bit samples (from $samples, any alignment) through $bySample (the display table
  ;; indexed by the sample itself) into the page's gray bytes from $page, each level counted into its block
  ;; column's histograms as BlockMedians.addRow counts it (flatten.ts): column c's at $histograms + 1024 c, 256
  ;; counters for the pixels at an even offset in the block, then 256 for the odd ones (a block's last pixels
  ;; past its groups of four all in the first: only the sum of the two is read). The counters are 16-bit (a
  ;; block's histogram counts at most half its pixels: render-in-module.ts takes blocks up to 256): half the
  ;; bytes cleared after each block row and held in cache than i32 ones (four i32 histograms a column, 256 kB a
  ;; block row, cost 0.9 ms a radiograph in medians' clearing alone). Scalar: table look-ups and counter
  ;; increments do not vectorize; what pays is the loop without JS's bounds checks.
  (func (export "render")
    (param $samples i32) (param $page i32) (param $width i32) (param $rows i32)
    (param $bySample i32) (param $histograms i32) (param $block i32)
    (local $x0 i32) (local $n i32) (local $base i32) (local $stop i32) (local $end i32) (local $four i64)
    (local $g0 i32) (local $g1 i32) (local $g2 i32) (local $g3 i32)
    (block $done
      (loop $rowLoop
        (br_if $done (i32.eqz (local.get $rows)))
        (local.set $x0 (i32.const 0))
        (local.set $base (local.get $histograms))
        (block $rowDone
          (loop $blocks
            (br_if $rowDone (i32.ge_u (local.get $x0) (local.get $width)))
            ;; The block's pixels in this row: a whole block, or what is left of the row.
            (local.set $n
              (select
                (local.get $block)
                (i32.sub (local.get $width) (local.get $x0))
                (i32.lt_u (local.get $block) (i32.sub (local.get $width) (local.get $x0)))))
            (local.set $stop (i32.add (local.get $page) (i32.and (local.get $n) (i32.const -4))))
            (local.set $end (i32.add (local.get $page) (local.get $n)))
            (block $foursDone
              (loop $fours
                (br_if $foursDone (i32.ge_u (local.get $page) (local.get $stop)))
                (local.set $four (i64.load align=2 (local.get $samples)))
                (local.set $g0
                  (i32.load8_u (i32.add (local.get $bySample) (i32.wrap_i64 (i64.and (local.get $four) (i64.const 0xffff))))))
                (local.set $g1
                  (i32.load8_u
                    (i32.add (local.get $bySample)
                      (i32.wrap_i64 (i64.and (i64.shr_u (local.get $four) (i64.const 16)) (i64.const 0xffff))))))
                (local.set $g2
                  (i32.load8_u
                    (i32.add (local.get $bySample)
                      (i32.wrap_i64 (i64.and (i64.shr_u (local.get $four) (i64.const 32)) (i64.const 0xffff))))))
                (local.set $g3
                  (i32.load8_u (i32.add (local.get $bySample) (i32.wrap_i64 (i64.shr_u (local.get $four) (i64.const 48))))))
                (i32.store align=1
                  (local.get $page)
                  (i32.or
                    (i32.or (local.get $g0) (i32.shl (local.get $g1) (i32.const 8)))
                    (i32.or (i32.shl (local.get $g2) (i32.const 16)) (i32.shl (local.get $g3) (i32.const 24)))))
                (local.set $g0 (i32.add (local.get $base) (i32.shl (local.get $g0) (i32.const 1))))
                (i32.store16 (local.get $g0) (i32.add (i32.load16_u (local.get $g0)) (i32.const 1)))
                (local.set $g1 (i32.add (local.get $base) (i32.shl (local.get $g1) (i32.const 1))))
                (i32.store16 offset=512 (local.get $g1) (i32.add (i32.load16_u offset=512 (local.get $g1)) (i32.const 1)))
                (local.set $g2 (i32.add (local.get $base) (i32.shl (local.get $g2) (i32.const 1))))
                (i32.store16 (local.get $g2) (i32.add (i32.load16_u (local.get $g2)) (i32.const 1)))
                (local.set $g3 (i32.add (local.get $base) (i32.shl (local.get $g3) (i32.const 1))))
                (i32.store16 offset=512 (local.get $g3) (i32.add (i32.load16_u offset=512 (local.get $g3)) (i32.const 1)))
                (local.set $samples (i32.add (local.get $samples) (i32.const 8)))
                (local.set $page (i32.add (local.get $page) (i32.const 4)))
                (br $fours)))
            (block $restDone
              (loop $rest
                (br_if $restDone (i32.ge_u (local.get $page) (local.get $end)))
                (local.set $g0
                  (i32.load8_u (i32.add (local.get $bySample) (i32.load16_u align=1 (local.get $samples)))))
                (i32.store8 (local.get $page) (local.get $g0))
                (local.set $g0 (i32.add (local.get $base) (i32.shl (local.get $g0) (i32.const 1))))
                (i32.store16 (local.get $g0) (i32.add (i32.load16_u (local.get $g0)) (i32.const 1)))
                (local.set $samples (i32.add (local.get $samples) (i32.const 2)))
                (local.set $page (i32.add (local.get $page) (i32.const 1)))
                (br $rest)))
            (local.set $x0 (i32.add (local.get $x0) (local.get $block)))
            (local.set $base (i32.add (local.get $base) (i32.const 1024)))
            (br $blocks)))
        (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
        (br $rowLoop))))

  ;; A block row's medians (BlockMedians.closeBlockRow) from render's histograms (the two summed), as f32 from
  ;; $out, and the histograms cleared for the next block row. A block of n pixels' median is the first level whose
  ;; cumulative count reaches n / 2: 2 * seen < n in integers is closeBlockRow's seen < n / 2.
  (func (export "medians")
    (param $histograms i32) (param $columns i32) (param $width i32) (param $block i32) (param $blockHeight i32)
    (param $out i32)
    (local $x0 i32) (local $base i32) (local $end i32) (local $pixels i32) (local $seen i32) (local $level i32)
    (local.set $base (local.get $histograms))
    (local.set $end (i32.add (local.get $histograms) (i32.shl (local.get $columns) (i32.const 10))))
    (block $done
      (loop $columnLoop
        (br_if $done (i32.ge_u (local.get $base) (local.get $end)))
        (local.set $pixels
          (i32.mul
            (select
              (local.get $block)
              (i32.sub (local.get $width) (local.get $x0))
              (i32.lt_u (local.get $block) (i32.sub (local.get $width) (local.get $x0))))
            (local.get $blockHeight)))
        (local.set $level (i32.const 0))
        (local.set $seen (call $countOf (local.get $base)))
        (block $found
          (loop $climb
            (br_if $found (i32.ge_u (i32.shl (local.get $seen) (i32.const 1)) (local.get $pixels)))
            (local.set $level (i32.add (local.get $level) (i32.const 1)))
            (local.set $seen
              (i32.add (local.get $seen) (call $countOf (i32.add (local.get $base) (i32.shl (local.get $level) (i32.const 1))))))
            (br $climb)))
        (f32.store (local.get $out) (f32.convert_i32_u (local.get $level)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (local.set $x0 (i32.add (local.get $x0) (local.get $block)))
        (local.set $base (i32.add (local.get $base) (i32.const 1024)))
        (br $columnLoop)))
    (local.set $base (local.get $histograms))
    (block $cleared
      (loop $clear
        (br_if $cleared (i32.ge_u (local.get $base) (local.get $end)))
        (v128.store (local.get $base) (v128.const i32x4 0 0 0 0))
        (local.set $base (i32.add (local.get $base) (i32.const 16)))
        (br $clear))))

  ;; The smallest and largest of `count` (at least one) unsigned 16-bit samples from $at, as min | max << 16:
  ;; the frame's own range, which its display table starts from (grayscale.ts, storedRange), sixteen samples a
  ;; step in two pairs of vectors instead of JS's two a word.
  (func (export "range") (param $at i32) (param $count i32) (result i32)
    (local $end i32) (local $vectorsEnd i32) (local $sample i32) (local $min i32) (local $max i32)
    (local $low v128) (local $high v128) (local $low2 v128) (local $high2 v128) (local $v v128)
    (local.set $low (i16x8.splat (i32.load16_u (local.get $at))))
    (local.set $high (local.get $low))
    (local.set $low2 (local.get $low))
    (local.set $high2 (local.get $low))
    (local.set $end (i32.add (local.get $at) (i32.shl (local.get $count) (i32.const 1))))
    (local.set $vectorsEnd (i32.add (local.get $at) (i32.and (i32.shl (local.get $count) (i32.const 1)) (i32.const -32))))
    (block $vectorsDone
      (loop $vectors
        (br_if $vectorsDone (i32.ge_u (local.get $at) (local.get $vectorsEnd)))
        (local.set $v (v128.load align=2 (local.get $at)))
        (local.set $low (i16x8.min_u (local.get $low) (local.get $v)))
        (local.set $high (i16x8.max_u (local.get $high) (local.get $v)))
        (local.set $v (v128.load offset=16 align=2 (local.get $at)))
        (local.set $low2 (i16x8.min_u (local.get $low2) (local.get $v)))
        (local.set $high2 (i16x8.max_u (local.get $high2) (local.get $v)))
        (local.set $at (i32.add (local.get $at) (i32.const 32)))
        (br $vectors)))
    ;; The eight lanes folded into lane 0: halves, quarters, eighths.
    (local.set $low (i16x8.min_u (local.get $low) (local.get $low2)))
    (local.set $high (i16x8.max_u (local.get $high) (local.get $high2)))
    (local.set $low
      (i16x8.min_u (local.get $low) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $low) (local.get $low))))
    (local.set $high
      (i16x8.max_u (local.get $high) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $high) (local.get $high))))
    (local.set $low
      (i16x8.min_u (local.get $low) (i8x16.shuffle 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 (local.get $low) (local.get $low))))
    (local.set $high
      (i16x8.max_u (local.get $high) (i8x16.shuffle 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 (local.get $high) (local.get $high))))
    (local.set $low
      (i16x8.min_u (local.get $low) (i8x16.shuffle 2 3 0 1 2 3 0 1 2 3 0 1 2 3 0 1 (local.get $low) (local.get $low))))
    (local.set $high
      (i16x8.max_u (local.get $high) (i8x16.shuffle 2 3 0 1 2 3 0 1 2 3 0 1 2 3 0 1 (local.get $high) (local.get $high))))
    (local.set $min (i16x8.extract_lane_u 0 (local.get $low)))
    (local.set $max (i16x8.extract_lane_u 0 (local.get $high)))
    ;; The samples past the last sixteen.
    (block $restDone
      (loop $rest
        (br_if $restDone (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $sample (i32.load16_u align=1 (local.get $at)))
        (if (i32.lt_u (local.get $sample) (local.get $min)) (then (local.set $min (local.get $sample))))
        (if (i32.gt_u (local.get $sample) (local.get $max)) (then (local.set $max (local.get $sample))))
        (local.set $at (i32.add (local.get $at) (i32.const 2)))
        (br $rest)))
    (i32.or (local.get $min) (i32.shl (local.get $max) (i32.const 16))))

  ;; A level's count in a block column's two histograms, from its first counter.
  (func $countOf (param $at i32) (result i32)
    (i32.add (i32.load16_u (local.get $at)) (i32.load16_u offset=512 (local.get $at)))))
