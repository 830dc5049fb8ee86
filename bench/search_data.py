"""A large, realistic catalogue for the search benchmark: N guides of many departments.

A city's halls together publish thousands of items: the same services in every district
(each district's bureau is a department of its own), with long official names (事项 + 情形 in
brackets), several materials, conditions, a process and FAQ, and staff's aliases. The
generator combines real service objects and actions with district bureaus, seeded, so every
run builds the same catalogue. Rows are inserted with SQLAlchemy Core in a few statements.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

from sqlalchemy import insert

from kiosk.models import Department, Guide, Material

DISTRICTS = ["老城区", "西工区", "瀍河区", "涧西区", "洛龙区", "偃师区", "孟津区", "新安县", "宜阳县",
             "洛宁县", "伊川县", "嵩县", "栾川县", "汝阳县", "高新区", "经开区"]
BUREAUS = {
    "公安分局": ["居民身份证", "临时居民身份证", "户口", "居住证", "无犯罪记录证明", "户籍证明", "出入境证件", "机动车登记"],
    "民政局": ["婚姻登记", "离婚登记", "婚姻登记证", "最低生活保障", "特困人员救助供养", "高龄津贴", "残疾人两项补贴",
            "殡葬补贴", "社会组织", "孤儿基本生活费"],
    "人力资源和社会保障局": ["社会保障卡", "企业职工基本养老保险", "城乡居民基本养老保险", "失业保险金", "就业创业证",
                   "工伤保险待遇", "职业技能等级证书", "灵活就业人员社会保险", "创业担保贷款"],
    "医疗保障局": ["城乡居民基本医疗保险", "职工基本医疗保险", "异地就医备案", "门诊慢特病待遇", "生育医疗费用",
              "医疗保险关系", "个人账户余额", "医保电子凭证"],
    "市场监督管理局": ["个体工商户", "有限责任公司", "食品经营许可证", "营业执照", "企业名称", "股份有限公司",
                "农民专业合作社", "特种设备使用登记", "计量器具检定"],
    "住房和城乡建设局": ["建筑工程施工许可证", "商品房预售许可证", "公共租赁住房", "物业服务", "城市房屋拆迁",
                  "建设工程竣工验收", "住房公积金"],
    "税务局": ["增值税", "个人所得税", "发票", "房产税", "城镇土地使用税", "契税", "印花税", "税务登记"],
    "不动产登记中心": ["国有建设用地使用权", "房屋所有权", "抵押权", "不动产权证书", "预告登记", "不动产登记资料"],
    "卫生健康委员会": ["出生医学证明", "医师执业", "护士执业", "公共场所卫生许可", "生育登记", "母婴保健技术服务"],
    "教育局": ["义务教育阶段新生入学", "义务教育阶段学生转学", "教师资格", "民办学校", "适龄儿童少年延缓入学"],
    "交通运输局": ["道路运输经营许可证", "出租汽车驾驶员从业资格证", "网络预约出租汽车运输证", "道路货物运输"],
    "退役军人事务局": ["退役军人优待证", "伤残抚恤", "烈士褒扬金", "退役士兵自主就业"],
}
ACTIONS = ["申领", "换领", "补领", "首次申领", "变更登记", "注销登记", "设立登记", "审核确认", "资格审核", "备案",
           "核发", "延续", "认定", "查询", "转移接续", "待遇申领", "发放", "缴纳", "申报", "复审", "撤销"]
CASES = ["", "", "", "（首次申领）", "（一般程序）", "（告知承诺制）", "（简易程序）", "（因损坏）", "（有效期满）",
         "（投靠、购房、就业迁入）", "（继承、受遗赠）", "（新办）", "（延续）", "（注销）", "（跨省通办）"]
THEMES = ["证件办理", "户籍办理", "婚姻登记", "生育收养", "教育科研", "社会保障", "医疗卫生", "就业创业",
          "住房保障", "设立变更", "准营准办", "税收财务", "破产注销", "抵押质押", "死亡殡葬", "离职退休",
          "职业资格", "交通出行", "行政缴费", "国土和规划建设"]
MATERIALS = ["申请人居民身份证", "居民户口簿", "申请书", "营业执照", "法定代表人身份证明", "授权委托书", "结婚证",
             "出生医学证明", "不动产权证书", "购房合同", "劳动合同", "社会保障卡", "近期免冠照片", "银行账户信息",
             "承诺书", "场所使用证明", "从业人员健康证明", "学历证明", "医学诊断证明", "死亡证明", "收入证明"]
ALIASES = ["补办", "丢了", "过期了", "换新的", "第一次办", "改名字", "开证明", "领补贴", "报销", "办证", "上户口",
           "开店", "不干了", "转过来", "交社保", "看病", "上学", "过户", "贷款", "退休金"]
FAQ = [("需要本人到场吗？", "需要本人到场，特殊情况可委托他人代办，须提供授权委托书。"),
       ("可以网上办理吗？", "可以登录政务服务网或政务服务 APP 在线申请，材料齐全的可全程网办。"),
       ("多长时间能办好？", "材料齐全、符合法定形式的，在承诺时限内办结，办结后短信通知。"),
       ("需要交费吗？", "本事项不收费。")]


def catalogue(n: int, seed: int = 7) -> tuple[list[dict], list[dict], list[dict]]:
    """(departments, guides, materials) as rows for Core inserts; ids are given."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    departments, guides, materials = [], [], []
    bureaus = list(BUREAUS)
    for district in DISTRICTS:
        for bureau in bureaus:
            departments.append({"id": len(departments) + 1, "code": f"d{len(departments) + 1}",
                                "name": f"洛阳市{district}{bureau}", "short_name": f"{district[:2]}{bureau[:2]}",
                                "created_at": now, "updated_at": now})
    for i in range(n):
        dept = departments[i % len(departments)]
        bureau = bureaus[(i % len(departments)) % len(bureaus)]
        obj = rng.choice(BUREAUS[bureau])
        name = f"{obj}{rng.choice(ACTIONS)}{rng.choice(CASES)}"
        guide_id = i + 1
        mats = rng.sample(MATERIALS, rng.randint(2, 7))
        guides.append({
            "id": guide_id, "code": f"B{guide_id:06d}", "name": name, "item_type": rng.choice(["行政许可", "公共服务", "行政确认"]),
            "department_id": dept["id"], "basis": "《中华人民共和国行政许可法》等有关规定",
            "conditions": f"符合{obj}有关规定的申请人，可以申请{name}。{rng.choice(['本人申请', '单位申请', '监护人代为申请'])}。",
            "process": ["申请：提交材料", "受理：窗口核验", "审核：部门审核", "办结：领取结果"],
            "legal_limit_days": 20, "promised_limit_days": rng.choice([0, 1, 3, 5, 10, 15]),
            "case_type": rng.choice(["即办件", "承诺件"]), "fee": "不收费", "location": f"{dept['name']}政务服务窗口",
            "window": f"{rng.choice('ABCDEF')}区 {rng.randint(1, 30)}号窗口", "hours": "周一至周五 9:00-17:00",
            "phone": "0379-6" + str(rng.randint(1000000, 9999999)), "complaint_phone": "12345", "visits": rng.choice([0, 1]),
            "online": rng.random() < 0.5, "online_url": None, "scope": rng.choice(["无", "全市通办", "全省通办", "跨省通办"]),
            "audience": rng.choice([["自然人"], ["法人"], ["自然人", "法人"]]),
            "themes": rng.sample(THEMES, rng.randint(1, 2)),
            "faq": [{"q": q, "a": a} for q, a in rng.sample(FAQ, rng.randint(0, 3))],
            "aliases": rng.sample(ALIASES, rng.randint(0, 2)),
            "search_text": "", "status": "published", "created_at": now, "updated_at": now,
        })
        for pos, mat in enumerate(mats, 1):
            materials.append({"guide_id": guide_id, "position": pos, "name": mat, "form": "原件", "copies": 1,
                              "necessity": rng.choice(["必要", "必要", "容缺"]), "note": None})
    return departments, guides, materials


def fill(session, n: int, seed: int = 7) -> None:
    """Insert the catalogue (into an empty database) in one transaction."""
    departments, guides, materials = catalogue(n, seed)
    session.execute(insert(Department), departments)
    session.execute(insert(Guide), guides)
    session.execute(insert(Material), materials)
    session.commit()
