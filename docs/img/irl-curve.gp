set terminal pngcairo size 800,360 font ",10"
set output "irl-curve.png"
set datafile separator ","
set multiplot layout 1,2 title "softmdp irl on gridworld4x4 (alpha 0.5, 200 demonstrated episodes)"
set xlabel "iteration"
set ylabel "log-likelihood"
plot "curve.csv" every ::1 using 1:2 with linespoints pt 7 ps 0.4 notitle
set ylabel "feature gap (max_k)"
set logscale y
set format y "%.0e"
plot "curve.csv" every ::1 using 1:4 with linespoints pt 7 ps 0.4 lc 2 notitle
unset multiplot
