"""The indicator system shipped with the platform (清廉指数默认指标体系), and its installer.

Four dimensions — 清廉政治, 清廉经营, 清廉文化, 清廉监管 — on a 1000-point scale, graded
标杆 ≥ 800, 优秀 ≥ 600, 达标 ≥ 400, 不达标 below (the public reference schemes use these bands),
with a negative list that vetoes the grade outright (一票否决). Every scoring method is used:
yes/no with evidence, levels, thresholds, the efficacy-coefficient method (功效系数法: the floor
scores 60 % and the target 100 % of the maximum) and indicators computed from platform data.

A federation installs this as its first draft and adapts it before freezing it for a campaign.
"""

from __future__ import annotations

import copy
from typing import Any

from qinglian.core.models import User
from qinglian.registry.models import Organisation

from .choices import DEFAULT_GRADE_BANDS, ScoringMethod
from .framework_actions import (
    DimensionSpec,
    FrameworkSpec,
    IndicatorSpec,
    NegativeItemSpec,
    do_install_framework,
)
from .models import Framework

#: 完全落实 / 基本落实 / 部分落实 / 未落实 — the usual four steps of a "落实情况" indicator.
IMPLEMENTATION_LEVELS = [
    {"label": "完全落实", "share": "1"},
    {"label": "基本落实", "share": "0.6"},
    {"label": "部分落实", "share": "0.3"},
    {"label": "未落实", "share": "0"},
]

#: Coverage in per cent: ≥ 90 % full marks, ≥ 70 % 60 %, ≥ 50 % 30 %, below nothing.
COVERAGE_THRESHOLDS = [
    {"min": "90", "share": "1"},
    {"min": "70", "share": "0.6"},
    {"min": "50", "share": "0.3"},
]


def _indicator(code: str, name: str, points: int, method: str, guidance: str,
               **params: Any) -> IndicatorSpec:
    """An indicator spec with every key present, so that specs compare equal after a round trip."""
    spec = IndicatorSpec(
        code=code, name=name, guidance=guidance, max_points=str(points), method=method,
        evidence_required=False, levels=[], thresholds=[], floor=None, target=None, unit="",
        computed_source="",
    )
    spec.update(params)  # type: ignore[typeddict-item]
    return spec


def _yes_no(code: str, name: str, points: int, guidance: str) -> IndicatorSpec:
    return _indicator(code, name, points, ScoringMethod.BOOLEAN, guidance, evidence_required=True)


def _levels(code: str, name: str, points: int, guidance: str,
            levels: list[dict[str, str]] | None = None) -> IndicatorSpec:
    return _indicator(code, name, points, ScoringMethod.LEVELS, guidance, evidence_required=True,
                      levels=list(levels or IMPLEMENTATION_LEVELS))


def _thresholds(code: str, name: str, points: int, guidance: str, unit: str,
                thresholds: list[dict[str, str]] | None = None) -> IndicatorSpec:
    return _indicator(code, name, points, ScoringMethod.THRESHOLDS, guidance, unit=unit,
                      evidence_required=True, thresholds=list(thresholds or COVERAGE_THRESHOLDS))


def _efficacy(code: str, name: str, points: int, guidance: str, *, floor: str,
              target: str, unit: str = "%") -> IndicatorSpec:
    return _indicator(code, name, points, ScoringMethod.EFFICACY, guidance, evidence_required=True,
                      floor=floor, target=target, unit=unit)


def _computed(code: str, name: str, points: int, guidance: str, source: str) -> IndicatorSpec:
    return _indicator(code, name, points, ScoringMethod.COMPUTED, guidance, computed_source=source)


POLITICS = DimensionSpec(code="ZZ", name="清廉政治", indicators=[
    _computed("ZZ01", "建立党组织", 30,
              "按会员名录中的党组织组建方式自动计算：单独、联合或挂靠组建党组织的得满分。"
              "如名录信息有误，请先联系商会更正组织信息。", "party_org_present"),
    _computed("ZZ02", "明确党建联络员", 15,
              "按会员名录自动计算：已明确党建联络员的得满分；尚无党员的企业尤其须明确联络员。",
              "party_liaison"),
    _levels("ZZ03", "落实“第一议题”学习制度", 40,
            "党组织会议或企业决策层会议把学习习近平总书记重要讲话和党中央决策部署作为第一议题。"
            "佐证：年度会议纪要、学习记录（含时间、参加人员、学习内容），全年不少于 10 次为完全落实。"),
    _levels("ZZ04", "党组织参与重大事项决策", 30,
            "“三重一大”事项（重大决策、重要人事任免、重大项目安排、大额资金运作）听取党组织或党建联络员意见。"
            "佐证：议事规则文件及一次以上的决策记录。"),
    _yes_no("ZZ05", "党建工作写入企业章程或管理制度", 20,
            "企业章程或基本管理制度中写明党组织的设置、职责和工作保障。佐证：章程或制度文件的相关页。"),
    _computed("ZZ06", "签署现行清廉企业共建承诺书", 35,
              "按平台签署记录自动计算：已签署所在商会现行版本承诺书的得满分；"
              "商会发布新版本后未重签的不得分。", "commitment_signed"),
    _yes_no("ZZ07", "出资人、实际控制人带头作出廉洁承诺", 20,
            "企业“一把手”（出资人、实际控制人或主要负责人）签署个人廉洁从业承诺并在企业内公开。"
            "佐证：签字的承诺书及公开的照片或通知。"),
    _levels("ZZ08", "党员教育管理（“三会一课”、主题党日）", 25,
            "按计划开展“三会一课”和主题党日，党员参加组织生活。"
            "佐证：年度计划与活动记录；无党组织的企业按党建联络员参加上级党组织活动的记录评分。"),
    _thresholds("ZZ09", "年度廉洁主题党日或专题学习次数", 20,
                "统计评价年度内以廉洁为主题的党日活动或专题学习的次数。佐证：每次活动的通知、照片或签到表。",
                "次", [{"min": "4", "share": "1"}, {"min": "2", "share": "0.6"},
                      {"min": "1", "share": "0.3"}]),
    _computed("ZZ10", "会员资格正常", 15,
              "按会员名录自动计算：会员资格未被暂停的得满分。", "membership_good_standing"),
])

OPERATIONS = DimensionSpec(code="JY", name="清廉经营", indicators=[
    _levels("JY01", "内部控制制度体系", 35,
            "建立覆盖采购、财务、销售、招投标、资产管理等关键环节的内部控制制度，并明确审批权限。"
            "佐证：制度汇编目录及审批权限表。"),
    _levels("JY02", "采购管理内控", 35,
            "采购实行比价或招标、供应商准入和评价，采购人员与供应商存在利害关系时回避。"
            "佐证：采购制度、一次以上的比价或招标记录、供应商名录。"),
    _levels("JY03", "财务与资金支付内控", 35,
            "资金支付实行分级审批，大额资金由集体决策，不设“小金库”，账外无资金往来。"
            "佐证：资金审批制度、大额支付的审批或会议记录。"),
    _levels("JY04", "销售与客户往来内控", 30,
            "价格折扣、返利、佣金按制度审批并入账，客户招待有标准和登记。"
            "佐证：销售政策审批文件、招待登记表。"),
    _efficacy("JY05", "合同廉洁条款签订率", 35,
              "评价年度内新签采购、销售、工程合同中含廉洁条款或另签廉洁协议的份数占比。"
              "佐证：合同台账（注明是否含廉洁条款）及抽样合同。不允许值 60%，满意值 100%。",
              floor="60", target="100"),
    _levels("JY06", "合规管理体系", 30,
            "明确合规负责人或合规部门，重要合同、重大决策经合规或法律审查。"
            "佐证：任命文件、合规审查记录。"),
    _levels("JY07", "纳税信用等级", 20,
            "按税务机关评定的最近一期纳税信用等级评分。佐证：电子税务局查询截图或评价结果通知书。",
            [{"label": "A 级", "share": "1"}, {"label": "B 级", "share": "0.8"},
             {"label": "M 级", "share": "0.6"}, {"label": "C 级", "share": "0.3"},
             {"label": "D 级", "share": "0"}]),
    _yes_no("JY08", "按时足额支付职工工资", 25,
            "评价年度内无拖欠职工（含农民工）工资的情况，工资通过银行代发。"
            "佐证：工资发放银行流水汇总或人力资源社会保障部门的证明。"),
    _levels("JY09", "礼品礼金与宴请招待管理", 20,
            "制定收受礼品礼金、宴请招待的管理规定，收到的礼品按规定登记上交。"
            "佐证：管理规定、礼品登记台账。"),
    _yes_no("JY10", "利益冲突与关联交易申报", 20,
            "管理人员和关键岗位人员每年申报本人及近亲属的对外投资、兼职和关联交易。"
            "佐证：申报制度和当年的申报汇总表。"),
    _thresholds("JY11", "重要供应商廉洁协议签订率", 15,
                "与年采购额前列（合计占采购总额 80% 以上）的供应商签订廉洁协议的比例。"
                "佐证：重要供应商名单及已签廉洁协议。", "%",
                [{"min": "100", "share": "1"}, {"min": "80", "share": "0.6"},
                 {"min": "50", "share": "0.3"}]),
])

CULTURE = DimensionSpec(code="WH", name="清廉文化", indicators=[
    _thresholds("WH01", "廉洁从业培训覆盖率", 35,
                "评价年度内参加廉洁从业培训的管理人员和关键岗位人员占其总数的比例。"
                "佐证：培训通知、签到表和参训人员名单。", "%"),
    _thresholds("WH02", "警示教育次数", 30,
                "参观警示教育基地、观看警示教育片、通报典型案例等警示教育的次数。"
                "佐证：每次活动的通知、照片或签到表。", "次",
                [{"min": "3", "share": "1"}, {"min": "2", "share": "0.6"},
                 {"min": "1", "share": "0.3"}]),
    _levels("WH03", "廉洁文化进车间、进班组、进门店", 25,
            "在办公和生产经营场所设置廉洁文化阵地（宣传栏、廉洁角、提示标识等）。"
            "佐证：阵地照片及更新记录。"),
    _yes_no("WH04", "制定员工行为准则并签收", 25,
            "制定包含禁止一切形式商业贿赂的员工行为准则或职业道德准则，员工签收。"
            "佐证：准则文本及签收记录。"),
    _efficacy("WH05", "关键岗位人员廉洁承诺签订率", 30,
              "采购、财务、销售、工程等关键岗位人员签订个人廉洁从业承诺的比例。"
              "佐证：关键岗位人员名单及签字承诺书。不允许值 50%，满意值 100%。",
              floor="50", target="100"),
    _yes_no("WH06", "新员工入职廉洁教育", 20,
            "新员工入职培训包含廉洁从业内容。佐证：入职培训课件或培训记录。"),
    _levels("WH07", "廉洁家风建设", 15,
            "开展家庭助廉活动（廉洁家书、家属座谈、家风故事分享等）。佐证：活动通知和照片。"),
    _thresholds("WH08", "廉洁知识测试合格率", 20,
                "组织员工参加廉洁知识测试或竞赛的合格人数占参加人数的比例。佐证：测试成绩汇总表。",
                "%", [{"min": "95", "share": "1"}, {"min": "80", "share": "0.6"},
                      {"min": "60", "share": "0.3"}]),
])

SUPERVISION = DimensionSpec(code="JG", name="清廉监管", indicators=[
    _computed("JG01", "法定代表人、实际控制人信息备案", 20,
              "按人员库自动计算：法定代表人和实际控制人任职均已备案的得满分，备案一项得一半。",
              "key_posts_recorded"),
    _levels("JG02", "廉洁风险点排查识别", 35,
            "对财务、采购、销售、工程、招投标、人事、投资担保等环节排查廉洁风险点，建立风险清单并定级。"
            "佐证：廉洁风险点清单（含岗位、风险描述、等级）。"),
    _efficacy("JG03", "廉洁风险点防控措施完成率", 35,
              "风险清单中已落实防控措施的风险点数占风险点总数的比例。"
              "佐证：风险点防控台账。不允许值 60%，满意值 100%。", floor="60", target="100"),
    _levels("JG04", "对“一把手”和领导班子的监督", 30,
            "明确主要负责人的权力清单，重大事项集体决策，主要负责人离任或定期接受经济责任审计。"
            "佐证：权力清单、议事规则、审计报告。"),
    _thresholds("JG05", "关键岗位人员轮岗交流执行率", 20,
                "按制度应轮岗的关键岗位人员中已轮岗或采取替代措施（强制休假、专项审计）的比例。"
                "佐证：轮岗制度和当年的轮岗记录。", "%"),
    _yes_no("JG06", "设立内部审计或纪检监督机构（专人）", 25,
            "设立内部审计、纪检或监察部门，规模较小的企业明确专人负责。佐证：机构设置或任命文件。"),
    _yes_no("JG07", "公开举报渠道", 20,
            "在企业内外公开举报电话、邮箱或清廉热线，承诺为举报人保密、不打击报复。"
            "佐证：公开渠道的照片或网页截图、保密规定。"),
    _efficacy("JG08", "举报线索办结率", 25,
              "评价年度内收到的举报线索已办结并反馈的比例；全年无举报的按满意值计。"
              "佐证：举报受理台账。不允许值 80%，满意值 100%。", floor="80", target="100"),
    _efficacy("JG09", "监督检查发现问题整改完成率", 25,
              "内部审计、商会或工商联检查、外部审计发现问题中已整改完成的比例。"
              "佐证：问题整改台账及整改报告。不允许值 70%，满意值 100%。", floor="70", target="100"),
    _levels("JG10", "违规违纪问题问责处理", 15,
            "对查实的违规违纪问题依规处理并内部通报，涉嫌违法的移送有关机关。"
            "佐证：处理决定或通报；全年无违规问题的须提交说明。"),
])


def _negative(code: str, name: str, description: str) -> NegativeItemSpec:
    return NegativeItemSpec(code=code, name=name, description=description)


#: 负面清单: any one confirmed in the evaluation year makes the grade 不达标 (一票否决).
NEGATIVE_ITEMS = [
    _negative("FM01", "行贿受贿",
              "企业或其法定代表人、实际控制人、高级管理人员因行贿、受贿、单位行贿、对非国家工作人员行贿等，"
              "被人民法院判决有罪，或被纪检监察机关、行政机关立案查处并作出处理决定。"),
    _negative("FM02", "拖欠农民工工资",
              "被人力资源社会保障部门列入拖欠农民工工资失信联合惩戒对象名单，"
              "或因拒不支付劳动报酬被追究刑事责任。"),
    _negative("FM03", "偷税漏税",
              "被税务机关认定偷税（逃避缴纳税款）、骗取出口退税并作出行政处罚，"
              "或被公布为重大税收违法失信主体。"),
    _negative("FM04", "侵犯知识产权、制售假冒伪劣",
              "因侵犯知识产权或生产、销售假冒伪劣商品受到较重行政处罚（罚款、没收违法所得以上），"
              "或被追究刑事责任。"),
    _negative("FM05", "严重失信（被列入黑名单）",
              "被列入严重失信主体名单（在“信用中国”等平台公示）或失信被执行人名单，"
              "且在评价年度结束时尚未移出。"),
    _negative("FM06", "法定代表人受刑事处罚",
              "法定代表人或实际控制人在评价年度内被人民法院判处刑罚（以生效判决为准）。"),
    _negative("FM07", "重大安全生产或生态环境事故",
              "发生较大及以上生产安全事故或较大及以上突发环境事件，经事故调查认定企业负有责任。"),
    _negative("FM08", "串通投标、围标陪标",
              "因串通投标被有关行政机关处罚或被追究刑事责任，或被列入招标投标领域严重失信名单。"),
    _negative("FM09", "清廉指数评价中弄虚作假",
              "在本次评价中提供虚假佐证材料或虚报数据，经商会初审或工商联抽查核实。"),
]

DEFAULT_FRAMEWORK = FrameworkSpec(
    code="QLZS",
    name="清廉民营企业评价指标体系",
    description=(
        "清廉指数评价指标体系，分清廉政治、清廉经营、清廉文化、清廉监管四个维度，满分 1000 分。"
        "企业自评并上传佐证，商会初审，工商联复核抽查后发布。"
        "评价年度内有负面清单事项经认定的，一票否决，等级为不达标。"
    ),
    bands=list(DEFAULT_GRADE_BANDS),
    dimensions=[POLITICS, OPERATIONS, CULTURE, SUPERVISION],
    negative_items=NEGATIVE_ITEMS,
)


def install_default_framework(federation: Organisation, *, actor: User | None) -> Framework:
    """Install the shipped framework as the federation's next draft version."""
    return do_install_framework(federation, copy.deepcopy(DEFAULT_FRAMEWORK), actor=actor)
