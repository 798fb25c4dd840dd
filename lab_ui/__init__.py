"""App-side code of Negative Sampling Lab (the Streamlit front end).

* :mod:`lab_ui.i18n`: the one message catalogue (English and Simplified Chinese);
* :mod:`lab_ui.figures`: pure functions from epoch records to Plotly figures (no Streamlit);
* :mod:`lab_ui.runs`: a live training run (a :class:`~negsamp_core.compare.Comparison`) advanced in
  time-budgeted chunks, its identity, live settings and export (no Streamlit);
* :mod:`lab_ui.datasets`: dataset specs, loading and CSV upload handling (no Streamlit);
* :mod:`lab_ui.learn`: the toy-world illustration of the Learn page (no Streamlit);
* :mod:`lab_ui.state`, :mod:`lab_ui.shell`, :mod:`lab_ui.player`: session state, the shared page
  shell (sidebar, navigation, URL parameters) and the Play / Pause / Step / Reset player.
"""

import torch

# One server serves a whole class: one thread per training so sessions do not fight for cores.
torch.set_num_threads(1)

# The first torch optimiser of a process imports torch._dynamo (~2 s here). Pay it once when the
# server imports the app, not when the first student presses Play.
torch.optim.Adam([torch.zeros(1, requires_grad=True)], lr=0.0)
