/* Linear circuits solved by modified nodal analysis into rational
 * functions of s: the transfer function Vout/Vin from an ideal voltage
 * source at in_node, the input admittance that source sees, and the
 * Thevenin output impedance at out_node (input shorted).
 *
 * The node equations are solved numerically at points on a circle in the
 * s-plane and the polynomial coefficients recovered by a DFT (the
 * determinant of the nodal matrix is a polynomial in s of degree at most
 * the number of capacitors). Fixed-size storage; real-time safe, so pot
 * moves can be re-solved on the audio thread. */
#ifndef GS_DSP_MNA_H
#define GS_DSP_MNA_H

#include <stdbool.h>

#include "dsp/rational.h"

#define GS_MNA_MAX_NODES 12
#define GS_MNA_MAX_ELEMS 24

typedef enum {
  GS_MNA_R,    /* resistor between a and b, value in ohms */
  GS_MNA_C,    /* capacitor between a and b, value in farads */
  GS_MNA_OPAMP /* ideal op-amp: + input a, - input b, output c */
} GsMnaKind;

typedef struct {
  GsMnaKind kind;
  int a, b, c; /* node numbers; 0 is ground */
  double value;
} GsMnaElem;

typedef struct {
  GsMnaElem elems[GS_MNA_MAX_ELEMS];
  int n_elems;
  int n_nodes; /* including ground */
  int in_node;
  int out_node;
} GsMnaCircuit;

typedef struct {
  GsRational h;    /* Vout / Vin */
  GsRational yin;  /* admittance seen by the source, siemens */
  GsRational zout; /* output impedance with the input shorted, ohms */
} GsMnaResult;

void gs_mna_init(GsMnaCircuit *c, int n_nodes, int in_node, int out_node);
void gs_mna_add(GsMnaCircuit *c, GsMnaKind kind, int a, int b, double value);
void gs_mna_add_opamp(GsMnaCircuit *c, int plus, int minus, int out);

/* false if the circuit is singular or too large. */
bool gs_mna_solve(const GsMnaCircuit *c, GsMnaResult *out);

#endif
