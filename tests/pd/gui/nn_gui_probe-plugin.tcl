# nn~ in C — a Pd GUI plugin for tests/pd/test_pd_gui.py: reads what the real Tk canvases drew.
# SPDX-License-Identifier: MIT
#
# Loaded by Pd's GUI from a folder on Pd's search path (the test passes it with -path); does
# nothing unless NN_GUI_PROBE names a report file. Once the patch is open it opens the
# subpatches named in NN_GUI_SUBPATCHES (their receive names, e.g. "pd-reference"), places
# every patch window side by side from the top left of the screen, and writes one line per
# window and one per canvas item: the item's type, its tags and its bounding box as Tk drew
# it (Pd's own idea of a box's size is not what is checked). Then "done" on a line of its own.

if {![info exists ::env(NN_GUI_PROBE)]} { return }

namespace eval ::nn_gui_probe {}

proc ::nn_gui_probe::canvases {} {
    set found {}
    foreach top [winfo children .] {
        if {[string match ".x*" $top] && [winfo exists $top.c] && [winfo class $top] eq "PatchWindow"} {
            lappend found $top
        }
    }
    return $found
}

proc ::nn_gui_probe::open_subpatches {} {
    set names {}
    if {[info exists ::env(NN_GUI_SUBPATCHES)]} { set names $::env(NN_GUI_SUBPATCHES) }
    foreach name $names { pdsend "$name vis 1" }
    ::nn_gui_probe::wait_for_windows [expr {1 + [llength $names]}] 150
}

# Waits (up to `tries` times 200 ms) until `count` patch windows are open, then lets Pd
# finish drawing them.
proc ::nn_gui_probe::wait_for_windows {count tries} {
    if {[llength [::nn_gui_probe::canvases]] >= $count || $tries <= 0} {
        after 1500 ::nn_gui_probe::place
    } else {
        after 200 [list ::nn_gui_probe::wait_for_windows $count [expr {$tries - 1}]]
    }
}

proc ::nn_gui_probe::place {} {
    set x 0
    foreach top [lsort [::nn_gui_probe::canvases]] {
        wm geometry $top +$x+0
        update
        incr x [expr {[winfo width $top] + 10}]
    }
    after 1000 ::nn_gui_probe::report
}

proc ::nn_gui_probe::report {} {
    update idletasks
    set out [open $::env(NN_GUI_PROBE) w]
    foreach top [::nn_gui_probe::canvases] {
        set c $top.c
        puts $out [list window $top [wm title $top] [winfo rootx $top] [winfo rooty $top] \
                       [winfo width $top] [winfo height $top]]
        foreach item [$c find all] {
            set box [$c bbox $item]
            if {$box eq ""} { continue }
            puts $out [list item $top [$c type $item] [$c gettags $item] {*}$box \
                           [expr {[$c type $item] eq "text" ? [$c itemcget $item -text] : ""}]]
        }
    }
    puts $out done
    close $out
}

proc ::nn_gui_probe::wait_for_patch {tries} {
    if {[llength [::nn_gui_probe::canvases]] > 0 || $tries <= 0} {
        after 1000 ::nn_gui_probe::open_subpatches
    } else {
        after 200 [list ::nn_gui_probe::wait_for_patch [expr {$tries - 1}]]
    }
}

::nn_gui_probe::wait_for_patch 100
