#!/usr/bin/env python3
"""Writes the discrete example MDPs in mdps/ (documented in mdps/README.md). Deterministic."""
import json
import os
import sys

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "mdps")


def write(name, mdp):
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(mdp, f, indent=None, separators=(",", ": "))
        f.write("\n")


def grid_moves(rows, cols):
    # LEFT, DOWN, RIGHT, UP as in Gymnasium's FrozenLake.
    return [(0, -1), (1, 0), (0, 1), (-1, 0)]


def frozenlake(name, desc, gamma):
    rows, cols = len(desc), len(desc[0])
    names = [f"r{r}c{c}" for r in range(rows) for c in range(cols)]
    moves = grid_moves(rows, cols)
    transitions = []
    for r in range(rows):
        for c in range(cols):
            if desc[r][c] in "HG":
                continue  # holes and the goal are terminal
            s = r * cols + c
            for a in range(4):
                probs = {}
                for d in ((a - 1) % 4, a, (a + 1) % 4):  # intended or perpendicular, 1/3 each
                    nr = min(max(r + moves[d][0], 0), rows - 1)
                    nc = min(max(c + moves[d][1], 0), cols - 1)
                    to = nr * cols + nc
                    probs[to] = probs.get(to, 0) + 1
                nxt = []
                for to, k in sorted(probs.items()):
                    p = k / 3
                    reward = 1.0 if desc[to // cols][to % cols] == "G" else 0.0
                    nxt.append([names[to], p, reward] if reward else [names[to], p])
                transitions.append({"s": names[s], "a": ["left", "down", "right", "up"][a], "next": nxt})
    write(name, {"format": "softmdp/1", "name": name[:-5],
                 "description": "Gymnasium FrozenLake, slippery: " + "/".join(desc),
                 "discount": gamma, "grid": {"rows": rows, "cols": cols}, "states": names,
                 "actions": ["left", "down", "right", "up"], "initial": {names[0]: 1.0},
                 "transitions": transitions})


def gridworld4x4():
    names = [f"s{i}" for i in range(16)]
    acts = ["up", "down", "right", "left"]
    d = {"up": (-1, 0), "down": (1, 0), "right": (0, 1), "left": (0, -1)}
    transitions = []
    for s in range(1, 15):
        r, c = divmod(s, 4)
        for a in acts:
            nr, nc = r + d[a][0], c + d[a][1]
            to = nr * 4 + nc if 0 <= nr < 4 and 0 <= nc < 4 else s
            transitions.append({"s": names[s], "a": a, "r": -1.0, "next": [[names[to], 1.0]]})
    write("gridworld4x4.json", {"format": "softmdp/1", "name": "gridworld4x4",
                                "description": "Sutton & Barto Example 4.1: terminal corners, reward -1 per step",
                                "discount": 0.9, "grid": {"rows": 4, "cols": 4}, "states": names, "actions": acts,
                                "transitions": transitions})


def cliffwalking():
    rows, cols = 4, 12
    names = [f"r{r}c{c}" for r in range(rows) for c in range(cols)]
    acts = ["up", "right", "down", "left"]
    d = {"up": (-1, 0), "right": (0, 1), "down": (1, 0), "left": (0, -1)}
    start, goal = 3 * cols, 3 * cols + cols - 1
    transitions = []
    for s in range(rows * cols):
        r, c = divmod(s, cols)
        if s == goal or (r == 3 and 0 < c < cols - 1):
            continue  # goal terminal; cliff cells are never occupied
        for a in acts:
            nr = min(max(r + d[a][0], 0), rows - 1)
            nc = min(max(c + d[a][1], 0), cols - 1)
            to = nr * cols + nc
            if nr == 3 and 0 < nc < cols - 1:  # the cliff: -100 and back to the start
                transitions.append({"s": names[s], "a": a, "r": -100.0, "next": [[names[start], 1.0]]})
            else:
                transitions.append({"s": names[s], "a": a, "r": -1.0, "next": [[names[to], 1.0]]})
    write("cliffwalking.json", {"format": "softmdp/1", "name": "cliffwalking",
                                "description": "Gymnasium CliffWalking 4x12 (Sutton & Barto Example 6.6)",
                                "discount": 0.99, "grid": {"rows": rows, "cols": cols}, "states": names,
                                "actions": acts, "initial": {names[start]: 1.0}, "transitions": transitions})


def forest(S=3, r1=4.0, r2=2.0, p=0.1):
    names = [f"age{i}" for i in range(S)]
    transitions = []
    for s in range(S):
        up = min(s + 1, S - 1)
        wait_r = r1 if s == S - 1 else 0.0
        nxt = [[names[0], p], [names[up], 1 - p]] if up != 0 else [[names[0], 1.0]]
        transitions.append({"s": names[s], "a": "wait", "r": wait_r, "next": nxt})
        cut_r = 0.0 if s == 0 else (r2 if s == S - 1 else 1.0)
        transitions.append({"s": names[s], "a": "cut", "r": cut_r, "next": [[names[0], 1.0]]})
    write("forest.json", {"format": "softmdp/1", "name": "forest",
                          "description": "MDPToolbox forest management, S=3, r1=4, r2=2, p=0.1",
                          "discount": 0.9, "states": names, "actions": ["wait", "cut"],
                          "transitions": transitions})


def riverswim(n=6):
    names = [f"s{i}" for i in range(n)]
    tr = []
    for s in range(n):
        left = max(s - 1, 0)
        tr.append({"s": names[s], "a": "left", "r": 0.005 if s == 0 else 0.0, "next": [[names[left], 1.0]]})
        if s == 0:
            nxt = [[names[0], 0.4], [names[1], 0.6]]
        elif s == n - 1:
            nxt = [[names[s - 1], 0.4], [names[s], 0.6, 1.0]]
        else:
            nxt = [[names[s - 1], 0.05], [names[s], 0.6], [names[s + 1], 0.35]]
        tr.append({"s": names[s], "a": "right", "next": nxt})
    write("riverswim.json", {"format": "softmdp/1", "name": "riverswim",
                             "description": "RiverSwim (Strehl & Littman 2008), rewards scaled as in Osband et al. 2013",
                             "discount": 0.95, "states": names, "actions": ["left", "right"],
                             "initial": {names[0]: 1.0}, "transitions": tr})


def chain2():
    write("chain2.json", {"format": "softmdp/1", "name": "chain2",
                          "description": "Two states; solution derived by hand in mdps/README.md",
                          "discount": 0.9, "states": ["A", "B"], "actions": ["stay", "move"],
                          "initial": {"A": 1.0},
                          "transitions": [
                              {"s": "A", "a": "stay", "r": 1.0, "next": [["A", 1.0]]},
                              {"s": "A", "a": "move", "r": 0.0, "next": [["B", 1.0]]},
                              {"s": "B", "a": "stay", "r": 2.0, "next": [["B", 1.0]]},
                              {"s": "B", "a": "move", "r": 0.0, "next": [["A", 1.0]]}]})


def boltzmann():
    write("boltzmann_counterexample.json", {
        "format": "softmdp/1", "name": "boltzmann_counterexample",
        "description": "Asadi & Littman 2017, Figure 1: Boltzmann value iteration has two stable fixed points at alpha = 1/17",
        "discount": 0.98, "states": ["s1", "s2"], "actions": ["a", "b"], "initial": {"s1": 1.0},
        "transitions": [
            {"s": "s1", "a": "a", "r": 0.122, "next": [["s1", 0.66], ["s2", 0.34]]},
            {"s": "s1", "a": "b", "r": 0.033, "next": [["s1", 0.99], ["s2", 0.01]]}]})


def multigoal():
    # One decision state whose soft-optimal action density has four separated modes: anchors at
    # the four goals pay 1 and end the episode; anchors at the centre and on the box's edges pay -1
    # and come back, so Q_V(center, a) is high only near the goals.
    goals = [[0.6, 0.6], [-0.6, 0.6], [-0.6, -0.6], [0.6, -0.6]]
    anchors = [{"s": "center", "at": g, "r": 1.0, "next": [["goal", 1.0]]} for g in goals]
    for at in [[0.0, 0.0], [1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]]:
        anchors.append({"s": "center", "at": at, "r": -1.0, "next": [["center", 1.0]]})
    write("multigoal.json", {"format": "softmdp/1", "name": "multigoal",
                             "description": "Four goals around a centre (in the spirit of Soft Q-Learning's multi-goal environment)",
                             "discount": 0.9, "states": ["center", "goal"], "initial": {"center": 1.0},
                             "action_space": {"low": [-1.0, -1.0], "high": [1.0, 1.0]},
                             "bandwidth": 0.2, "action_cost": 0.1, "anchors": anchors})


def continuous1d():
    write("continuous1d.json", {"format": "softmdp/1", "name": "continuous1d",
                                "description": "1-D actions: push left to stay (reward 0) or right to cross (reward 1)",
                                "discount": 0.9, "states": ["left", "right"], "initial": {"left": 1.0},
                                "action_space": {"low": [-1.0], "high": [1.0]}, "bandwidth": 0.3, "action_cost": 0.1,
                                "anchors": [
                                    {"s": "left", "at": [-0.5], "r": 0.0, "next": [["left", 1.0]]},
                                    {"s": "left", "at": [0.5], "r": 1.0, "next": [["right", 1.0]]},
                                    {"s": "right", "at": [0.0], "r": 0.5, "next": [["right", 0.5], ["left", 0.5]]}]})


if __name__ == "__main__":
    multigoal()
    continuous1d()
    frozenlake("frozenlake4x4.json", ["SFFF", "FHFH", "FFFH", "HFFG"], 0.99)
    frozenlake("frozenlake8x8.json", ["SFFFFFFF", "FFFFFFFF", "FFFHFFFF", "FFFFFHFF",
                                      "FFFHFFFF", "FHHFFFHF", "FHFFHFHF", "FFFHFFFG"], 0.99)
    gridworld4x4()
    cliffwalking()
    forest()
    riverswim()
    chain2()
    boltzmann()
