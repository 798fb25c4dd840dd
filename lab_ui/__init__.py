"""App-side code of Negative Sampling Lab (the Streamlit front end).

* :mod:`lab_ui.i18n`: the one lookup of texts (English and Simplified Chinese);
* :mod:`lab_ui.sampler_views`: one view per sampler (style, formula, texts, internals panel, code),
  beside the core's one file per sampler, and a default view for any other registered sampler;
* :mod:`lab_ui.chart_base`: chart basics below both the views and the page figures;
* :mod:`lab_ui.figures`: pure functions from epoch records to Plotly figures (no Streamlit);
* :mod:`lab_ui.step_view`: the Playground's step table, a pure function of the last batch;
* :mod:`lab_ui.runs`: a live training run (a :class:`~negsamp_core.compare.Comparison`) advanced in
  time-budgeted chunks, its identity, live settings and export (no Streamlit);
* :mod:`lab_ui.datasets`: dataset specs, loading and CSV upload handling (no Streamlit);
* :mod:`lab_ui.learn`: the Learn page's lesson links and its one real run (dns-candidates);
* :mod:`lab_ui.lesson_view`, :mod:`lab_ui.lesson_state`: the Lessons page's charts, snapshot and state;
* :mod:`lab_ui.present`: presentation mode (``?present=1``: no settings, one big chart at a time);
* :mod:`lab_ui.state`, :mod:`lab_ui.shell`, :mod:`lab_ui.player`: session state (the one module
  naming its keys), the shared page shell (process settings, sidebar, navigation, URL parameters)
  and the Play / Pause / Step / Reset player;
* :mod:`lab_ui.scheduler`: the fair queue for the server's bounded training slots (no Streamlit);
* :mod:`lab_ui.loadtest`, :mod:`lab_ui.live_bench`: the classroom load test and the live loop measured
  in-process.

Importing this package sets nothing process-wide: :func:`lab_ui.shell.configure_process` (one
torch thread, the optimiser warm-up) runs when the first page calls :func:`lab_ui.shell.setup`.
"""
