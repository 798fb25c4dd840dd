"""The app's one lookup of texts, in English (``en``) and Simplified Chinese (``zh``).

Page, shell and chart texts live in :data:`MESSAGES` below; a sampler's own texts (what it draws,
its cost, risk, paper, parameter labels) live in its view (:mod:`lab_ui.sampler_views`), which
hands them to :func:`register`. Everything is read through :func:`t`; a missing key raises
``KeyError`` (``tests/test_app_i18n.py`` checks every key is used and exists in both languages),
never silently shows a key to a learner.
"""

from __future__ import annotations

LANGS = ("en", "zh")
LANG_NAMES = {"en": "English", "zh": "简体中文"}


def _m(en: str, zh: str) -> dict:
    return {"en": en, "zh": zh}


MESSAGES: dict[str, dict[str, str]] = {
    # ------------------------------------------------------------------ shell
    "app_title": _m("Negative Sampling Lab", "负采样实验室"),
    "app_tagline": _m(
        "Train small recommenders live and watch what each negative sampler picks.",
        "现场训练小型推荐模型，观察每种负采样器挑出了什么样的负例。",
    ),
    "nav_learn": _m("Learn", "入门"),
    "nav_playground": _m("Playground", "单采样器实验"),
    "nav_compare": _m("Compare", "对比"),
    "nav_data": _m("Data", "数据"),
    "sidebar_dataset": _m("Dataset", "数据集"),
    "sidebar_dataset_help": _m(
        "The data every page trains on. Change the synthetic world's knobs, load "
        "MovieLens or upload a CSV on the Data page.",
        "所有页面训练所用的数据。可在“数据”页调整合成世界的参数、加载 MovieLens 或上传 CSV。",
    ),
    "sidebar_seed": _m("Seed", "随机种子"),
    "sidebar_seed_help": _m(
        "One seed fixes the data split, the initial model, the batch order and every "
        "sampler's random draws: same seed, same experiment.",
        "一个种子确定数据划分、初始模型、批次顺序和每个采样器的随机抽样：种子相同，实验就相同。",
    ),
    "sidebar_language": _m("Language", "语言"),
    "sidebar_share": _m(
        "Share this experiment: the page address carries the dataset, seed, samplers and their settings.",
        "分享本实验：页面地址中包含数据集、种子、采样器及其设置。",
    ),
    "sidebar_about": _m(
        "Samplers: {samplers}. Model: matrix factorisation trained with the BPR loss.",
        "采样器：{samplers}。模型：用 BPR 损失训练的矩阵分解。",
    ),
    "dataset_synthetic": _m("Synthetic world (true tastes known)", "合成世界（已知真实偏好）"),
    "dataset_toy": _m("Toy world (6 users, 12 films)", "玩具世界（6 位用户，12 部电影）"),
    "dataset_ml-100k": _m("MovieLens 100K", "MovieLens 100K"),
    "dataset_ml-latest-small": _m("MovieLens latest-small", "MovieLens latest-small"),
    "dataset_csv": _m("Your CSV: {name}", "你的 CSV：{name}"),
    "dataset_failed": _m(
        "Could not load {name}; keeping {previous}. {error}", "无法加载 {name}，继续使用 {previous}。{error}"
    ),
    "dataset_not_found_app": _m(
        "Its files were not found (looked in: {places}). On the Data page, type the "
        "folder that holds ml-100k/ or ml-latest-small/, or press Download.",
        "未找到其文件（已查找：{places}）。请在“数据”页输入包含 ml-100k/ 或 ml-latest-small/ 的文件夹，或点击下载。",
    ),
    "bad_url_params": _m(
        "Ignored URL parameters (unknown or invalid values): {params}", "已忽略的地址参数（未知或无效的取值）：{params}"
    ),
    "url_adjusted": _m(
        "Out-of-range URL parameters were replaced by the nearest allowed value: {items}.",
        "超出范围的地址参数已替换为最接近的允许值：{items}。",
    ),
    "url_adjusted_item": _m(
        "{name}={raw} → {value} (allowed: {allowed})", "{name}={raw} → {value}（允许的取值：{allowed}）"
    ),
    "no_held_out": _m(
        "This dataset has {valid} validation and {test} test positives: with none, validation "
        "curves, model selection and test metrics stay empty. Raise the density or the "
        "observation rate on the Data page, or choose another dataset.",
        "该数据集有 {valid} 个验证正例和 {test} 个测试正例：若为零，验证曲线、"
        "模型选择和测试指标都将为空。"
        "请在“数据”页提高密度或观测率，或换一个数据集。",
    ),
    "busy": _m(
        "The server is busy with other learners' trainings; this run continues at the next tick.",
        "服务器正忙于其他同学的训练，本次训练将在下一次刷新时继续。",
    ),
    # ------------------------------------------------------------------ player
    "play": _m("Play", "播放"),
    "pause": _m("Pause", "暂停"),
    "step": _m("Step", "单步"),
    "reset": _m("Reset", "重置"),
    "play_help": _m(
        "Train continuously, a short chunk at every tick; other controls stay usable.",
        "持续训练，每次刷新训练一小段；其他控件仍可使用。",
    ),
    "pause_help": _m("Stop after the current tick.", "在当前这次刷新之后停止。"),
    "step_help": _m(
        "Train one batch (one step) for every sampler, then stop.", "每个采样器训练一个批次（一步）后停止。"
    ),
    "reset_help": _m("Start again from the same initial model.", "从相同的初始模型重新开始。"),
    "speed": _m("Speed (batches per tick)", "速度（每次刷新的批次数）"),
    "speed_help": _m(
        "How many training steps each sampler may take per tick (a tick also stops after "
        "about {ms} ms so the page stays responsive).",
        "每次刷新时每个采样器最多训练的步数（每次约 {ms} 毫秒后也会停止，以保证页面流畅）。",
    ),
    "counter_epoch": _m("epoch {epoch}/{epochs}", "第 {epoch}/{epochs} 轮"),
    "counter_step": _m("step {step}/{steps}", "第 {step}/{steps} 步"),
    "status_playing": _m("training", "训练中"),
    "status_paused": _m("paused", "已暂停"),
    "status_new": _m("ready: press Play or Step", "就绪：按“播放”或“单步”"),
    "status_done": _m("finished", "已完成"),
    "run_reset_notice": _m("The run was reset because {what} changed.", "由于 {what} 改变，训练已重置。"),
    "run_build_error": _m(
        "These settings are impossible, so the previous run is kept: {error}",
        "这些设置无法使用，因此保留之前的训练：{error}",
    ),
    "run_build_error_first": _m(
        "These settings are impossible, so no run could be built: {error}",
        "这些设置无法使用，因此无法开始训练：{error}",
    ),
    "live_param_error": _m("Setting not applied: {error}", "设置未生效：{error}"),
    "diverged": _m("{sampler} stopped: {error}", "{sampler} 已停止：{error}"),
    "diverged_toast": _m(
        "{sampler}: training diverged and stopped. Lower the learning rate to resume (details under the counter).",
        "{sampler}：训练发散，已停止。调低学习率即可继续（详情见进度下方）。",
    ),
    "what_dataset": _m("the dataset", "数据集"),
    "what_seed": _m("the seed", "随机种子"),
    "what_samplers": _m("the choice of samplers", "所选采样器"),
    "what_dim": _m("the embedding size", "嵌入维度"),
    "what_batch_size": _m("the batch size", "批大小"),
    "what_n_negatives": _m("K (negatives per positive)", "K（每个正例的负例数）"),
    "what_eval_k": _m("the top-K of the metrics", "评估指标的 top-K"),
    "what_param": _m("{sampler} {param}", "{sampler} 的 {param}"),
    # ------------------------------------------------------------------ training settings
    "settings": _m("Training settings", "训练设置"),
    "settings_caption": _m(
        "Settings marked “live” apply at the next tick; those marked “resets” start the run "
        "again from the same initial model.",
        "标有“即时”的设置在下一次刷新时生效；标有“重置”的设置会让训练从相同的初始模型重新开始。",
    ),
    "mark_live": _m("live", "即时"),
    "mark_reset": _m("resets", "重置"),
    "epochs": _m("Epochs", "训练轮数"),
    "epochs_help": _m(
        "Training stops by itself after this many passes over the training positives.",
        "遍历训练正例这么多遍后，训练自动停止。",
    ),
    "lr": _m("Learning rate", "学习率"),
    "lr_help": _m(
        "Step size of the Adam optimiser. Too large and the loss can diverge (the run stops and says so).",
        "Adam 优化器的步长。过大可能导致损失发散（训练会停止并提示）。",
    ),
    "dim": _m("Embedding size", "嵌入维度"),
    "dim_help": _m(
        "Length d of every user and item vector; the score is s(u, i) = p_u · q_i.",
        "每个用户和物品向量的长度 d；得分 s(u, i) = p_u · q_i。",
    ),
    "batch": _m("Batch size", "批大小"),
    "batch_help": _m("Positive (user, item) pairs per training step.", "每个训练步中的正例（用户，物品）对数。"),
    "k": _m("K: negatives per positive", "K：每个正例的负例数"),
    "k_help": _m("How many negatives the sampler draws for every positive pair.", "采样器为每个正例对抽取的负例个数。"),
    "topk": _m("Top-K of the metrics", "评估指标的 Top-K"),
    "topk_help": _m(
        "Recall@K and NDCG@K look at the K best-ranked items of every user.",
        "Recall@K 和 NDCG@K 只看每个用户排名最靠前的 K 个物品。",
    ),
    "samplers": _m("Samplers to compare", "参与对比的采样器"),
    "samplers_help": _m(
        "All chosen samplers train the same model from the same initial parameters on "
        "the same batches: only the sampler differs.",
        "所选采样器从相同的初始参数出发、在相同的批次上训练相同的模型：唯一的差别是采样器。",
    ),
    "sampler": _m("Sampler", "采样器"),
    "sampler_params": _m("{sampler} settings", "{sampler} 的设置"),
    "param_paper": _m("paper: {paper}", "论文取值：{paper}"),
    "param_default": _m("default {default}", "默认 {default}"),
    "no_params": _m(
        "{sampler} has no settings besides K (in the training settings).",
        "{sampler} 除 K（见训练设置）之外没有其他设置。",
    ),
    "on": _m("on", "开"),
    "off": _m("off", "关"),
    "need_sampler": _m("Choose at least one sampler.", "请至少选择一个采样器。"),
    # a sampler's parameter labels and helps (param_<sampler>_<name>, help_<sampler>_<name>) live in its view
    # ------------------------------------------------------------------ charts
    "legend_intro": _m(
        "Every sampler keeps one colour and one line style on every chart:",
        "每个采样器在所有图中使用固定的颜色和线型：",
    ),
    "x_epoch": _m("epoch", "轮次"),
    "x_seconds": _m("training seconds", "训练秒数"),
    "x_axis": _m("Horizontal axis", "横轴"),
    "chart_loss": _m("BPR loss (lower is better)", "BPR 损失（越低越好）"),
    "chart_recall": _m("Validation Recall@{k}", "验证集 Recall@{k}"),
    "chart_ndcg": _m("Validation NDCG@{k}", "验证集 NDCG@{k}"),
    "chart_convergence_epoch": _m(
        "Convergence: loss and validation quality, epoch by epoch", "收敛：每一轮的损失与验证集质量"
    ),
    "chart_convergence_seconds": _m(
        "Convergence: loss and validation quality against training time (seconds)",
        "收敛：损失与验证集质量随训练时间（秒）的变化",
    ),
    "chart_coincide": _m(
        "{a} and {b} coincide: identical values, one line hides the other",
        "{a} 与 {b} 重合：数值完全相同，一条线挡住了另一条",
    ),
    "read_convergence": _m(
        "How to read: lower loss and higher Recall/NDCG are better; a curve that rises earlier learns faster.",
        "怎么看：损失越低、Recall/NDCG 越高越好；越早上升的曲线学得越快。",
    ),
    "read_scores": _m(
        "How to read: the further right a sampler's bars sit (towards the black positives), the harder "
        "its negatives; grey is what uniform sampling would give.",
        "怎么看：采样器的柱形越靠右（越接近黑框的正例），它的负例越难；灰色是均匀采样的结果。",
    ),
    "read_hardness": _m(
        "How to read: 0.5 means the negative scores like the positive (a large gradient); near 0 "
        "the negative is easy and teaches little.",
        "怎么看：0.5 表示负例得分与正例相当（梯度大）；接近 0 表示负例太容易，模型学不到什么。",
    ),
    "read_fn": _m(
        "How to read: higher means more sampled negatives are items the user would like (sampling bias); "
        "lower is better.",
        "怎么看：越高表示被采成负例的物品中用户其实会喜欢的越多（采样偏差）；越低越好。",
    ),
    "read_popularity": _m(
        "How to read: left, the mean popularity of the negatives against the dotted uniform "
        "reference; right, which popularity bands the last epoch's negatives came from.",
        "怎么看：左图是负例的平均流行度，虚线为均匀采样的参照；右图是最后一轮负例来自哪些流行度区间。",
    ),
    "read_cost": _m(
        "How to read: taller bars cost more; left in seconds per epoch (patterned = sampling), right in model "
        "scores the sampler computes per epoch.",
        "怎么看：柱越高代价越大；左图为每轮秒数（带纹理 = 采样），右图为采样器每轮计算的模型打分次数。",
    ),
    "read_long_tail": _m(
        "a few popular items, many rare ones: uniform sampling mostly draws the rare ones",
        "少数热门物品、大量冷门物品：均匀采样抽到的大多是冷门物品",
    ),
    "chart_long_tail_y_linear": _m("training users", "训练用户数"),
    "chart_fn_exact": _m(
        "False-negative rate (exact)<br><sup>share of sampled negatives the user truly likes,</sup>"
        "<br><sup>from the synthetic world's hidden tastes</sup>",
        "伪负例率（精确值）<br><sup>被采样的负例中用户其实喜欢的比例，</sup><br><sup>来自合成世界的隐藏偏好</sup>",
    ),
    "chart_fn_heldout": _m(
        "False-negative rate (held-out positives)<br><sup>share of sampled negatives that are</sup>"
        "<br><sup>the user's validation/test positives</sup>",
        "伪负例率（留出正例）<br><sup>被采样的负例中属于用户验证/测试正例的比例</sup>",
    ),
    "chart_fn_y": _m("false-negative share", "伪负例占比"),
    "chart_hardness": _m(
        "Hardness of sampled negatives<br><sup>mean σ(s(u,j) − s(u,i)), the BPR gradient weight of a negative</sup>",
        "负例难度<br><sup>平均 σ(s(u,j) − s(u,i))，即负例的 BPR 梯度权重</sup>",
    ),
    "chart_hardness_y": _m("gradient weight (0..1)", "梯度权重（0..1）"),
    "chart_scores": _m(
        "Scores of sampled negatives vs positives and random items (epoch {epoch})",
        "负例得分与正例、随机物品得分的分布（第 {epoch} 轮）",
    ),
    "chart_scores_x": _m("model score s(u, ·)", "模型得分 s(u, ·)"),
    "chart_scores_y": _m("share", "占比"),
    "trace_negatives": _m("{sampler} negatives", "{sampler} 负例"),
    "trace_positives": _m("positives", "正例"),
    "trace_uniform": _m("random items", "随机物品"),
    "chart_popularity": _m(
        "Popularity of sampled negatives (mean training count per item)", "负例的流行度（物品在训练集中的平均出现次数）"
    ),
    "chart_popularity_hist": _m(
        "Popularity distribution of sampled negatives (epoch {epoch})", "负例流行度分布（第 {epoch} 轮）"
    ),
    "chart_popularity_x": _m("item popularity (training users)", "物品流行度（训练用户数）"),
    "chart_popularity_y": _m("mean popularity", "平均流行度"),
    "trace_uniform_pop": _m("random items (reference)", "随机物品（参照）"),
    "chart_cost": _m(
        "Cost: seconds per epoch, sampling (patterned) vs model update (light)",
        "开销：每轮秒数，采样（带纹理）与模型更新（浅色）",
    ),
    "chart_cost_y": _m("seconds per epoch", "每轮秒数"),
    "trace_sampling": _m("sampling", "采样"),
    "trace_updating": _m("model update", "模型更新"),
    "chart_scores_count": _m("Model scores computed by the sampler per epoch", "采样器每轮计算的模型得分数"),
    "chart_scores_count_y": _m("scores per epoch", "每轮得分数"),
    "chart_empty": _m("Waiting for the first epoch…", "等待第一轮完成……"),
    # ------------------------------------------------------------------ compare page
    "compare_title": _m("Compare samplers side by side", "并排对比采样器"),
    "compare_intro": _m(
        "The chosen samplers train the same matrix-factorisation model, from the same initial "
        "parameters, on the same batches. Press Play and watch the three questions: quality "
        "(hardness, convergence), bias (false negatives, popularity) and efficiency (cost).",
        "所选采样器从相同的初始参数出发，在相同的批次上训练相同的矩阵分解模型。按“播放”，观察三个问题："
        "质量（难度、收敛）、偏差（伪负例、流行度）和效率（开销）。",
    ),
    "sec_convergence": _m("Quality: how fast and how well does the model learn?", "质量：模型学得多快、多好？"),
    "sec_hardness": _m("Quality: how hard are the sampled negatives?", "质量：采样的负例有多难？"),
    "sec_bias": _m("Bias: false negatives and popularity", "偏差：伪负例与流行度"),
    "sec_cost": _m("Efficiency: what does each sampler cost?", "效率：每个采样器的开销是多少？"),
    "sec_results": _m("Results", "结果"),
    "hardness_explain": _m(
        "A negative scored far below the positive gives almost no gradient. Bars further right "
        "than the grey random-item bars mean a sampler finds harder, more informative negatives.",
        "得分远低于正例的负例几乎不产生梯度。若某采样器的柱形比灰色随机物品更靠右，说明它找到了更难、信息量更大的负例。",
    ),
    "results_caption": _m(
        "Best epoch = highest validation NDCG@{k}; test metrics at that epoch (never selected on test).",
        "最佳轮次 = 验证集 NDCG@{k} 最高的轮次；测试指标取自该轮（从不在测试集上挑选）。",
    ),
    "col_sampler": _m("sampler", "采样器"),
    "col_loss": _m("loss", "损失"),
    "col_best_epoch": _m("best epoch", "最佳轮次"),
    "col_valid_ndcg": _m("val NDCG@{k}", "验证 NDCG@{k}"),
    "col_valid_recall": _m("val Recall@{k}", "验证 Recall@{k}"),
    "col_test_ndcg": _m("test NDCG@{k}", "测试 NDCG@{k}"),
    "col_test_recall": _m("test Recall@{k}", "测试 Recall@{k}"),
    "col_fn_rate": _m("false neg. rate", "伪负例率"),
    "col_hardness": _m("hardness", "难度"),
    "col_neg_pop": _m("neg. pop.", "负例流行度"),
    "col_sec_epoch": _m("s / epoch", "秒/轮"),
    "col_sample_share": _m("sampling share", "采样耗时占比"),
    "col_scores_epoch": _m("scores / epoch", "打分次数/轮"),
    "download_csv": _m("Download history (CSV)", "下载训练历史（CSV）"),
    "download_json": _m("Download history (JSON)", "下载训练历史（JSON）"),
    "results_empty": _m(
        "The table fills in once every sampler has finished an epoch.", "每个采样器完成一轮后，表格就会出现。"
    ),
    # ------------------------------------------------------------------ compare: variants of one sampler
    "variants_title": _m("Variants: the same sampler with other settings", "变体：同一采样器的不同设置"),
    "variants_caption": _m(
        "A variant trains one more model: the sampler with the settings above, except the "
        "parameter you set here (e.g. DNS with M = 1, 8 and 32). Same seed, initial model and "
        "batches as every other arm.",
        "变体会多训练一个模型：使用上面的采样器设置，只改动这里设置的参数（例如 DNS 取 M = 1、8、32）。"
        "与其他各组使用相同的种子、初始模型和批次。",
    ),
    "variants_none": _m("No variants yet.", "还没有变体。"),
    "variant_sampler": _m("Sampler", "采样器"),
    "variant_param": _m("Parameter", "参数"),
    "variant_add": _m("Add a variant", "添加变体"),
    "variant_remove": _m("Remove {label}", "移除 {label}"),
    "variant_exists": _m("{label} is already in the comparison.", "{label} 已在对比中。"),
    "variant_race": _m("Race {labels}", "比较 {labels}"),
    "variant_race_help": _m(
        "Replace the variants by these, next to the samplers without settings (the baseline).",
        "用这些变体替换当前变体，并与没有参数的采样器（基线）一起比较。",
    ),
    "variant_bad": _m("These variants cannot be used: {error}", "无法使用这些变体：{error}"),
    "variant_clear": _m("Remove all variants", "移除全部变体"),
    # ------------------------------------------------------------------ playground page
    "playground_title": _m("Playground: one sampler in depth", "单采样器实验：深入了解一个采样器"),
    "playground_intro": _m(
        "Pick a sampler, tune it, train it, and open the step view to see exactly which "
        "negatives it drew for one user in the last step, and why.",
        "选择一个采样器，调节参数并训练，然后在单步视图中查看它在上一步为某位用户具体抽到了哪些负例，以及原因。",
    ),
    "step_view": _m("Step view: the last training step", "单步视图：上一个训练步"),
    "step_view_playing": _m(
        "The step view updates when you pause or press Step.", "暂停或按“单步”时，单步视图才会更新。"
    ),
    "step_view_empty": _m(
        "Press Step to train one batch and see its negatives.", "按“单步”训练一个批次，即可查看其负例。"
    ),
    "step_user": _m("User of the last batch", "上一批次中的用户"),
    "step_user_help": _m(
        "Only users with a positive in the last batch have sampled negatives to show.",
        "只有在上一批次中有正例的用户才有可展示的负例。",
    ),
    "step_table_caption": _m(
        "Negatives drawn for {user} in the last step (scores under the current model).",
        "上一步为 {user} 抽取的负例（得分基于当前模型）。",
    ),
    "col_positive": _m("positive item", "正例物品"),
    "col_negative": _m("sampled negative", "采样的负例"),
    "col_score_pos": _m("score of positive", "正例得分"),
    "col_score_neg": _m("score of negative", "负例得分"),
    "col_gradient": _m("gradient weight σ(s_j − s_i)", "梯度权重 σ(s_j − s_i)"),
    "col_popularity": _m("popularity", "流行度"),
    "col_false_negative": _m("false negative?", "伪负例？"),
    "yes": _m("yes ⚠", "是 ⚠"),
    "user_n": _m("user {n}", "用户 {n}"),
    "item_n": _m("item {n}", "物品 {n}"),
    "no": _m("no", "否"),
    "internals": _m("Inside {sampler}", "{sampler} 内部"),
    "internals_none": _m(
        "{sampler} has no internals view yet: its code is below.", "{sampler} 暂无内部视图：其代码见下方。"
    ),
    "code_title": _m("Show the code: how {sampler} draws its negatives", "查看代码：{sampler} 如何抽取负例"),
    "code_caption": _m(
        "{sampler}'s `_draw`, exactly as it runs in training (the sampler's whole algorithm: "
        "no labels, no statistics).",
        "{sampler} 的 `_draw`，与训练时运行的完全相同（这就是该采样器的全部算法：不含标签，也不含统计）。",
    ),
    "code_reference": _m("Reference implementation (readable)", "参考实现（易读版）"),
    "code_fast": _m("Fast path that runs in training", "训练时运行的快速实现"),
    "code_reference_caption": _m(
        "{sampler}'s fast `_draw` is vectorised and hard to read. The first tab is the "
        "reference implementation the tests compare against: it draws from the same "
        "distribution; the second tab is the fast path that actually runs.",
        "{sampler} 的快速 `_draw` 经过向量化，不易阅读。第一个标签页是测试所对照的参考实现："
        "它按同一分布抽样；第二个标签页是训练时实际运行的快速实现。",
    ),
    "live_charts": _m("Live training", "实时训练"),
    # ------------------------------------------------------------------ data page
    "data_title": _m("Data: choose and inspect the dataset", "数据：选择并查看数据集"),
    "data_current": _m("Current dataset: {name}", "当前数据集：{name}"),
    "metric_users": _m("users", "用户"),
    "metric_items": _m("items", "物品"),
    "metric_train": _m("training positives", "训练正例"),
    "metric_heldout": _m("validation / test", "验证 / 测试"),
    "metric_sparsity": _m("sparsity", "稀疏度"),
    "metric_fn": _m("hidden liked items", "隐藏的喜欢物品"),
    "metric_fn_help": _m(
        "Items users truly like but that are not training positives: every one drawn as a "
        "negative is a false negative.",
        "用户真正喜欢但不在训练正例中的物品：每抽中一个作为负例，就是一个伪负例。",
    ),
    "fn_definition_exact": _m(
        "False negatives are exact here: the world knows every user's true tastes.",
        "这里的伪负例是精确的：世界知道每位用户的真实偏好。",
    ),
    "fn_definition_heldout": _m(
        "Real data has no ground truth: a sampled negative counts as a false negative "
        "when it is one of the user's held-out (validation or test) positives.",
        "真实数据中不知道用户的全部真实偏好：若被采样的负例属于该用户留出的（验证或测试）正例，则记为伪负例。",
    ),
    "chart_long_tail": _m(
        "Long tail: training popularity of every item, most popular first",
        "长尾：每个物品在训练集中的流行度（从最热门到最冷门）",
    ),
    "chart_long_tail_x": _m("item rank", "物品排名"),
    "chart_long_tail_y": _m("training users (log scale)", "训练用户数（对数刻度）"),
    "user_history": _m("One user's history", "单个用户的历史"),
    "user_pick": _m("User", "用户"),
    "history_split": _m("split", "划分"),
    "history_item": _m("item", "物品"),
    "split_train": _m("train", "训练"),
    "split_valid": _m("validation", "验证"),
    "split_test": _m("test", "测试"),
    "split_hidden": _m("liked, unobserved", "喜欢但未观测"),
    "synthetic_knobs": _m("Synthetic world", "合成世界"),
    "synthetic_caption": _m(
        "Users have hidden tastes over genres; each liked item is observed with a probability "
        "that grows with its popularity. Unobserved liked items are the false negatives.",
        "用户对各类型有隐藏偏好；每个喜欢的物品被观测到的概率随其流行度增加。未被观测到的喜欢物品就是伪负例。",
    ),
    "syn_users": _m("Users", "用户数"),
    "syn_items": _m("Items", "物品数"),
    "syn_density": _m("Density: share of user-item pairs that are liked", "密度：被喜欢的用户-物品对比例"),
    "syn_skew": _m("Popularity skew (Zipf exponent)", "流行度偏斜（Zipf 指数）"),
    "syn_skew_help": _m(
        "0 = all items equally popular; 1 = a classic long tail.", "0 = 所有物品一样流行；1 = 典型长尾。"
    ),
    "syn_obs": _m("Observation rate: share of liked items observed", "观测率：被观测到的喜欢物品比例"),
    "syn_obs_help": _m(
        "Lower = more liked items stay hidden = more false negatives to fall into.",
        "越低 = 越多喜欢的物品被隐藏 = 越容易采到伪负例。",
    ),
    "syn_build": _m("Build this world", "生成这个世界"),
    "movielens_caption": _m(
        "The files are not shipped (GroupLens licence). Point at a folder holding ml-100k/ or "
        "ml-latest-small/, or download the official archive (checksum-verified).",
        "本项目不附带这些文件（GroupLens 许可）。请指定包含 ml-100k/ 或 ml-latest-small/ 的文件夹，"
        "或下载官方压缩包（校验和验证）。",
    ),
    "ml_name": _m("Dataset", "数据集"),
    "ml_folder": _m("Local folder (default: NEGSAMP_DATA_DIR)", "本地文件夹（默认：NEGSAMP_DATA_DIR）"),
    "ml_threshold": _m("Positive when rating ≥", "评分 ≥ 该值视为正例"),
    "ml_split": _m("Split", "划分方式"),
    "ml_split_u1": _m("official u1.base / u1.test (IRGAN's protocol)", "官方 u1.base / u1.test（IRGAN 的协议）"),
    "ml_split_random": _m("per-user random 80/10/10", "按用户随机 80/10/10"),
    "ml_load": _m("Load from folder", "从文件夹加载"),
    "ml_download": _m("Download and load", "下载并加载"),
    "ml_downloading": _m("Downloading {name}…", "正在下载 {name}……"),
    "csv_title": _m("Your own CSV", "你自己的 CSV"),
    "csv_caption": _m(
        "Columns: user and item (required), rating (optional, with a threshold), timestamp "
        "(optional: the latest interactions become the test set), title (optional).",
        "列：user 和 item（必需），rating（可选，配合阈值），timestamp（可选：最近的交互作为测试集），title（可选）。",
    ),
    "csv_upload": _m("Upload a CSV", "上传 CSV"),
    "csv_threshold": _m("Rating threshold (0 = every row is positive)", "评分阈值（0 = 每一行都是正例）"),
    "csv_use": _m("Use this file", "使用此文件"),
    "csv_loaded": _m(
        "Loaded {name}: {users} users, {items} items, {n} training positives.",
        "已加载 {name}：{users} 位用户，{items} 个物品，{n} 个训练正例。",
    ),
    "csv_error": _m(
        "This file cannot be used, so the current dataset is kept. What is wrong: {error}",
        "无法使用该文件，因此保留当前数据集。问题：{error}",
    ),
    # ------------------------------------------------------------------ learn page
    "learn_title": _m("Why negative sampling matters", "为什么负采样很重要"),
    "learn_intro": _m(
        "A recommender learns from what users clicked, watched or bought: the **positives**. It must also "
        "learn what they do *not* want, and nobody tells us that: every other item is merely *unobserved*. "
        "**Negative sampling** picks a few unobserved items *j* for each positive *(u, i)* and trains the model "
        "to score the positive above them, with the BPR loss below. Which items we pick decides how fast the "
        "model learns, how good it gets, and how often we punish it for liking something the user would "
        "actually like.",
        "推荐模型从用户点击、观看或购买过的物品中学习：这些是**正例**。它还必须知道用户*不*想要什么，"
        "但没有人告诉我们这一点：其余物品都只是*未被观测到*。**负采样**为每个正例 *(u, i)* 挑选几个未观测物品 *j*，"
        "并用下面的 BPR 损失训练模型，使正例的得分高于它们。挑选哪些物品，决定了模型学得多快、能学多好，"
        "以及我们有多常因为模型喜欢用户其实会喜欢的东西而惩罚它。",
    ),
    "learn_loss_caption": _m(
        "The gradient weight of a negative is σ(s(u,j) − s(u,i)): from an easy negative (score "
        "far below the positive) the model learns almost nothing.",
        "负例的梯度权重为 σ(s(u,j) − s(u,i))：对于简单负例（得分远低于正例），模型几乎学不到东西。",
    ),
    "learn_directions": _m("Three questions every sampler answers", "每个采样器都要回答的三个问题"),
    "dir_quality": _m("Quality · 采样质量", "采样质量 · Quality"),
    "dir_quality_text": _m(
        "Are the negatives informative? Hard negatives (high score) give large gradients and "
        "faster learning. **Charts:** score distribution of sampled negatives, convergence.",
        "负例是否有信息量？强负例（得分高）梯度大、学得快。**图表**：负例得分分布、收敛曲线。",
    ),
    "dir_bias": _m("Bias · 采样偏差", "采样偏差 · Bias"),
    "dir_bias_text": _m(
        "Unobserved is not disliked. A sampled item the user would like is a **false negative**: "
        "hard samplers find them more often. **Charts:** false-negative rate, popularity of negatives.",
        "未观测不等于不喜欢。被采样但用户其实喜欢的物品是**伪负例**：越“难”的采样器越容易采到它们。"
        "**图表**：伪负例率、负例流行度。",
    ),
    "dir_efficiency": _m("Efficiency · 采样效率", "采样效率 · Efficiency"),
    "dir_efficiency_text": _m(
        "What does a sampler cost? Scoring candidates or training a generator takes time. "
        "**Charts:** seconds per epoch (sampling vs updating), model scores computed.",
        "采样器的开销多大？给候选打分或训练生成器都需要时间。**图表**：每轮秒数（采样与更新）、计算的模型得分数。",
    ),
    "learn_families": _m("Two families", "两大类方法"),
    "family_heuristic": _m("Heuristic: {samplers}", "启发式负采样：{samplers}"),
    "family_heuristic_text": _m(
        "A fixed distribution chosen before training (uniform, or by popularity). Cheap and "
        "simple, but blind to what the model already knows: as it improves, most samples "
        "become easy.",
        "训练前就确定的固定分布（均匀或按流行度）。便宜、简单，但看不到模型已经学会了什么：模型变好后，大多数样本都变得简单。",
    ),
    "family_model": _m("Model-based: {samplers}", "基于模型的负采样：{samplers}"),
    "family_model_text": _m(
        "Ask the current model which items it wrongly likes and train on those. Faster "
        "learning, but more cost and more false negatives (SRNS tries to avoid them; watch "
        "its false-negative rate against DNS's to see how well it succeeds on each dataset).",
        "询问当前模型它错误地喜欢哪些物品，并在这些物品上训练。学得更快，但开销更大、"
        "伪负例更多（SRNS 试图避开它们；"
        "对比它与 DNS 的伪负例率，看看它在每个数据集上做得如何）。",
    ),
    "learn_samplers": _m("The samplers, one card each", "各采样器一览"),
    "card_draws": _m("What it draws", "抽什么"),
    "card_cost": _m("Cost", "开销"),
    "card_risk": _m("Risk", "风险"),
    "card_paper": _m("Paper", "论文"),
    "card_family_heuristic": _m("heuristic", "启发式负采样"),
    "card_family_model": _m("model-based", "基于模型的负采样"),
    "learn_chart": _m(
        "How often each sampler drew each film as a negative for {user}", "每个采样器为 {user} 把每部电影抽作负例的次数"
    ),
    "learn_chart_y": _m("times drawn", "被抽中次数"),
    "learn_next": _m(
        "Next: **Playground** to look inside one sampler (and read its code), **Compare** to race "
        "them all, **Data** to change the world.",
        "下一步：在**单采样器实验**中查看一个采样器的内部（并阅读它的代码），在**对比**中让所有采样器同场竞赛，"
        "在**数据**中改变世界。",
    ),
}


_CATALOGUE: dict[str, dict[str, str]] = dict(MESSAGES)
_OWNERS: dict[str, str] = dict.fromkeys(MESSAGES, "lab_ui.i18n")


def register(owner: str, messages: dict[str, dict[str, str]]) -> None:
    """Add an owner's texts (e.g. a sampler view's) to the catalogue behind :func:`t`.

    Raises:
        ValueError: a key another owner already registered (two owners, one key: a bug).
    """
    for key, entry in messages.items():
        if _OWNERS.get(key, owner) != owner:
            raise ValueError(f"message key {key!r} of {owner} is already owned by {_OWNERS[key]}")
        _CATALOGUE[key], _OWNERS[key] = entry, owner


def catalogue() -> dict[str, dict[str, str]]:
    """Every registered text: ``{key: {"en": ..., "zh": ...}}`` (a copy)."""
    return dict(_CATALOGUE)


def owner_of(key: str) -> str:
    """The module that registered ``key`` (KeyError if none did)."""
    return _OWNERS[key]


def has(key: str) -> bool:
    return key in _CATALOGUE


def t(key: str, lang: str = "en", **fields) -> str:
    """The message ``key`` in ``lang`` with ``{fields}`` filled in.

    Raises:
        KeyError: unknown key (a bug: every key must exist in both languages).
    """
    entry = _CATALOGUE[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**fields) if fields else text


def sampler_label(name: str) -> str:
    """A sampler's (or an arm's) display name, any language: a registry name in capitals (RNS, PNS,
    DNS, IRGAN, SRNS); an arm's label (``"DNS M=8"``, ``"SRNS α=0"``) as it is."""
    return name.upper() if name.isidentifier() and name.islower() else name


def param_symbol(sampler: str, param: str) -> str:
    """A parameter's short symbol for arm labels: the English label's part before the colon
    (``"M: candidates"`` -> ``M``), else the parameter's name (language-neutral, so a run's labels
    do not change with the language)."""
    label = param_label(sampler, param, "en")
    head, colon, _ = label.partition(":")
    return head.strip() if colon and 0 < len(head.strip()) <= 4 else param


def arm_label(sampler: str, params) -> str:
    """The label of an arm that sets ``params`` of ``sampler``, e.g. ``"DNS M=8"``, ``"SRNS α=0"``."""
    from negsamp_core.arms import default_label

    return default_label(sampler, params, param_symbol)


def user_name(dataset, user: int, lang: str = "en") -> str:
    """A user's display name: its own name (real data, the toy world) or "user 12" / "用户 12"."""
    names = getattr(dataset, "user_names", None)
    return str(names[user]) if names is not None else t("user_n", lang, n=int(user))


def item_name(dataset, item: int, lang: str = "en") -> str:
    """An item's display name: its title, or "item 5" / "物品 5"."""
    names = getattr(dataset, "item_names", None)
    return str(names[item]) if names is not None else t("item_n", lang, n=int(item))


def param_paper(sampler: str, spec, lang: str) -> str:
    """The paper's value of a parameter in ``lang`` (the view registers ``paper_<sampler>_<param>``),
    else the core's text."""
    key = f"paper_{sampler}_{spec.name}"
    return t(key, lang) if key in _CATALOGUE else spec.paper


def param_label(sampler: str, param: str, lang: str) -> str:
    """The translated label of a sampler parameter (its view registers ``param_<sampler>_<param>``)."""
    key = f"param_{sampler}_{param}"
    return t(key, lang) if key in _CATALOGUE else param


def param_help(sampler: str, param: str, lang: str, fallback: str = "") -> str:
    """The translated help of a sampler parameter (``help_<sampler>_<param>``), else ``fallback``."""
    key = f"help_{sampler}_{param}"
    return t(key, lang) if key in _CATALOGUE else fallback
